"""The ``calculator`` tool: exact arithmetic with simpleeval (a maintained safe evaluator, no eval).

Number literals become ``Fraction``s, so ``0.1 + 0.2`` is exactly ``0.3`` and ``1/3`` stays a
fraction; only irrational steps (``sqrt(2)``, ``pi``, fractional powers) fall back to floats. Only
arithmetic operators and a few maths functions exist; names, attributes, strings, comparisons and
calls to anything else are refused by simpleeval. Big exponents and huge results are refused before
they are computed, so one call cannot pin a core.
"""

from __future__ import annotations

import ast
import math
import operator
from fractions import Fraction
from typing import Any

from simpleeval import InvalidExpression, OperatorNotDefined, SimpleEval

from bot.tools.base import Tool

MAX_DIGITS = 1000  # digits in any power's result, and in the final answer
MAX_EXPRESSION = 500
DECIMAL_PLACES = 20  # for fractions that have no finite decimal form

Number = Fraction | float


class CalculationRefused(ValueError):
    """The expression is valid but too big or undefined (x/0, huge powers)."""


def _digits(x: Fraction) -> float:
    return max(abs(x.numerator).bit_length(), x.denominator.bit_length()) * math.log10(2)


def _power(base: Number, exponent: Number) -> Number:
    if isinstance(exponent, Fraction) and exponent.denominator == 1 and isinstance(base, Fraction):
        if base == 0 and exponent < 0:
            raise CalculationRefused("0 cannot be raised to a negative power")
        if _digits(base) * abs(int(exponent)) > MAX_DIGITS:
            raise CalculationRefused(f"the result would have more than {MAX_DIGITS} digits")
        return base ** int(exponent)
    if float(base) < 0:
        raise CalculationRefused("a negative number to a fractional power is not a real number")
    try:
        return float(base) ** float(exponent)
    except OverflowError:
        raise CalculationRefused("the result is too large") from None


def _divide(a: Number, b: Number) -> Number:
    if b == 0:
        raise CalculationRefused("division by zero")
    return a / b


def _floor_divide(a: Number, b: Number) -> Number:
    if b == 0:
        raise CalculationRefused("division by zero")
    return Fraction(a // b)


def _modulo(a: Number, b: Number) -> Number:
    if b == 0:
        raise CalculationRefused("modulo by zero")
    return a % b


def _sqrt(x: Number) -> Number:
    if x < 0:
        raise CalculationRefused("the square root of a negative number is not a real number")
    if isinstance(x, Fraction):
        num, den = math.isqrt(x.numerator), math.isqrt(x.denominator)
        if num * num == x.numerator and den * den == x.denominator:
            return Fraction(num, den)
    return math.sqrt(x)


OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: _divide,
    ast.FloorDiv: _floor_divide,
    ast.Mod: _modulo,
    ast.Pow: _power,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
FUNCTIONS = {
    "sqrt": _sqrt,
    "abs": abs,
    "round": lambda x, n=0: Fraction(round(Fraction(x), int(n))),
    "floor": lambda x: Fraction(math.floor(x)),
    "ceil": lambda x: Fraction(math.ceil(x)),
    "min": min,
    "max": max,
}
NAMES = {"pi": math.pi, "e": math.e}
ALLOWED_NODES = (ast.Expr, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant)


class _ExactEval(SimpleEval):
    nodes: dict[Any, Any]  # simpleeval's own, untyped

    def __init__(self) -> None:
        super().__init__(operators=OPERATORS, functions=FUNCTIONS, names=NAMES)
        # Arithmetic only: no attributes, subscripts, comparisons, conditionals or strings.
        self.nodes = {node: self.nodes[node] for node in ALLOWED_NODES}
        self.nodes[ast.Constant] = self._exact_constant

    @staticmethod
    def _exact_constant(node: ast.Constant) -> Number:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise InvalidExpression(f"only numbers are allowed, not {node.value!r}")
        return Fraction(str(node.value)) if isinstance(node.value, float) else Fraction(node.value)


def evaluate(expression: str) -> Number:
    """Raises InvalidExpression, CalculationRefused or SyntaxError."""
    if len(expression) > MAX_EXPRESSION:
        raise CalculationRefused(f"the expression is longer than {MAX_EXPRESSION} characters")
    try:
        value = _ExactEval().eval(expression.replace("^", "**").replace("×", "*").replace("÷", "/"))
    except OperatorNotDefined:  # bit operators, matrix product: simpleeval's text names an ast object
        raise InvalidExpression("only the operators + - * / // % ** are allowed") from None
    if isinstance(value, Fraction) and _digits(value) > MAX_DIGITS:
        raise CalculationRefused(f"the result has more than {MAX_DIGITS} digits")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculationRefused("the result is not a finite number")
    if not isinstance(value, Fraction | float | int):
        raise CalculationRefused("the expression does not give a number")
    return value


def _terminating_decimal(x: Fraction) -> str | None:
    den, twos, fives = x.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        return None
    places = max(twos, fives)
    scaled = abs(x.numerator) * (10**places // x.denominator)
    whole, frac = divmod(scaled, 10**places)
    return f"{'-' if x < 0 else ''}{whole}.{frac:0{places}d}"


def format_number(value: Number) -> str:
    if isinstance(value, float):
        return f"{value:.15g}"
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    exact = _terminating_decimal(value)
    if exact is not None:
        return exact
    approx = round(value, DECIMAL_PLACES)
    return f"{value.numerator}/{value.denominator} ≈ {_terminating_decimal(approx) or float(value)}"


async def _run(args: dict[str, Any]) -> str:
    expression = args["expression"]
    try:
        return f"{expression} = {format_number(evaluate(expression))}"
    except (InvalidExpression, CalculationRefused, SyntaxError, TypeError, ValueError) as e:
        raise ValueError(f"cannot calculate {expression!r}: {e}") from None


CALCULATOR = Tool(
    name="calculator",
    description=(
        "Exact arithmetic. Give one expression with numbers, + - * / // % ** ( ), and sqrt, abs, round, "
        "floor, ceil, min, max, pi, e. Fractions stay exact (1/3 + 1/6 = 1/2)."
    ),
    parameters={
        "type": "object",
        "properties": {"expression": {"type": "string", "minLength": 1, "maxLength": MAX_EXPRESSION}},
        "required": ["expression"],
        "additionalProperties": False,
    },
    run=_run,
    timeout=2.0,
    output_cap=2000,
)
