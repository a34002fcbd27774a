"""Word tables in English, German, French, Spanish, Portuguese, Dutch, Italian and romanised Hindi;
passwords and keys also in Nordic, Polish, Czech, Hungarian, Romanian, Turkish, Russian, Ukrainian,
Greek, Hebrew, Arabic, Hindi, Japanese, Chinese and Korean.

Data only. Words are lowercase literals ("~" stands for a space; JSON and form keys keep their
"_" and "-"). A word must start a word of the text; health and money terms are stems and may end
inside one ("diabet" finds "diabetes", "Diabetikerin"). Accented and plain spellings are both listed.
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(w.replace("~", " ") for w in text.split())


# Words that put the speaker (or their family) in a sentence. Matched case-insensitively as whole words.
FIRST_PERSON = _split(
    """
    i i'm i've i'd im ive my mine myself me
    ich mir mich bin
    je j'ai j’ai j'avais moi mon ma mes suis
    yo mi mis tengo estoy tomo padezco sufro soy
    eu meu minha meus minhas tenho estou tô
    ik mijn mij
    io mio mia miei mie ho sono soffro prendo
    mujhe mera meri mere hoon hun
    verdiene verdien gagne gano ganho guadagno recebo cobro
    tive faço fiz estive fui tuve hago hice estuve habe hatte~ich avevo faccio ebbi heb
    """
)
# German "mein" only before a capitalised noun: in Hinglish "mein" means "in".
GERMAN_MY = r"[Mm]ein(?:e[nmrs]?)?(?=\s+[A-ZÄÖÜ])"

# Health: conditions, tests, care and medicines (stems).
HEALTH_TERMS = _split(
    """
    diabet diabèt diabét insulin hba1c glyc depress dépress depresi anxiety anxiét ansied ansia angststörung
    panic~attack panikattack bipolar schizo adhd adhs tdah autis epilep épilep asthm asma asthme
    cancer cáncer câncer krebs tumor tumeur chemo chimio quimio radiotherap hiv crohn colitis colite
    celiac coeliac cœliaque celiach celíac zöliakie sclérose sclerosis esclerosis sklerose migraine migräne
    migraña emicrania enxaqueca rheuma arthrit arthros artrit thyroid thyroïd tiroid tireoid schilddrüse
    hashimoto blood~pressure blutdruck tension~artérielle presión~arterial pressão~alta bp~ki hypertens hipertens
    pregnan schwanger enceinte embarazada grávida gravida incinta zwanger miscarriage fehlgeburt fausse~couche
    cholesterol cholestérol colesterol ldl statin therapy therapie thérapie terapia therapist therapeut
    psychiatr psiquiatr psichiatr psycholog psicólog psicolog diagnos diagnost diagnóst tested~positive
    testé~positif dado~positivo chlamydia gonorr syphil herpes hepatitis hépatite úlcera ulcer ulcère
    maagzweer dialys transplant stroke schlaganfall heart~attack herzinfarkt infarct alzheimer dementia
    demenz parkinson anorex bulimi eating~disorder essstörung burnout burn-out ptsd ptbs suicid selbstmord
    rehab addiction sucht alcoholi disabilit behinderung wheelchair rollstuhl lupus fibromyalg endometrios
    pcos infertil ivf prednison cortison quimioterapia
    sertralin fluoxetin escitalopram citalopram venlafaxin duloxetin bupropion mirtazapin lithium lamotrigin
    quetiapin olanzapin aripiprazol risperidon methylphenid ritalin vyvanse elvanse adderall concerta
    metformin ozempic semaglutid levothyrox lévothyrox thyroxin euthyrox salbutamol ventolin sumatriptan mtx
    methotrexat omeprazol pantoprazol amlodipin ramipril lisinopril bisoprolol metoprolol atorvastatin
    simvastatin warfarin xarelto eliquis prednisolon diazepam lorazepam alprazolam xanax valium zolpidem
    truvada antidepress antidépress antidepresiv antipsychot tramadol oxycodon morphin fentanyl gabapentin
    pregabalin lyrica naltrexon suboxone methadon bombinha inhaler inhalator epipen
    allergic~to allergique~à allergique~a allergisch~gegen allergisch~voor alérgico~a alérgica~a alergico~a
    alergica~a allergico~a allergica~a allergy~to penicillin pénicilline penicilina penicillina
    sick~leave off~sick sick~note krankgeschrieben krankschreibung krankmeldung arbeitsunfähig arrêt~maladie
    arrêt~de~travail de~baja baja~médica baja~medica in~malattia certificato~medico atestado~médico
    licença~médica licenca~medica ziekgemeld ziek~thuis
    hernia hernie bandscheib discal slipped~disc sciatica ischias sciatique ciática sciatalgia
    pneumonia pneumonie lungenentzündung neumonía neumonia polmonite longontsteking
    bronchit bronchite bronquitis bronchitis
    fibromialg fibromyalg stroke avc ictus beroerte apoplex physiotherap fisioterap kinésithérap
    kinesitherap fysiotherap dengue malaria typhoid tuberculos tuberkulos gastroenterit cistite cystitis
    anemia anémie anämie anaemia eczema eczéma ekzem psoriasis psoriase gout gicht goutte gota
    kidney~stone nierenstein calcul~rénal cálculo~renal surgery chirurgie cirugía cirurgia operazione
    eutirox thyronorm levotirox levothyrox tirosint losartan valsartan candesartan lexomil bromazepam
    clonazepam rivotril tavor lormetazepam biktarvy insulina insuline
    """
)
# A dose in a first-person sentence ("I take 20 mg …") is a medical detail whatever the medicine.
# Starts with a digit class (not a lookbehind) so re skips ahead; the same as (?<![\d.,])\d{1,5}…
DOSE = r"\d(?<![\d.,].)\d{0,4}(?:[.,]\d{1,3})?[ ]?(?:mg|mcg|µg|μg|ml|MG)\b"

MONEY_TERMS = _split(
    """
    salary salaire sueldo salario salário gehalt lohn salaris stipendio income einkommen revenu ingresos
    renda inkomen reddito take-home take~home verdiene verdien gagne gano ganho guadagno debt debts schulden
    dette dettes deuda deudas dívida dívidas debiti kontostand bank~balance account~balance solde saldo
    net~worth credit~score mortgage hypothek hypothèque hipoteca mutuo savings ersparnis économies ahorros
    poupança spaargeld risparmi tankhwah earn earning bruttogehalt nettogehalt jahresgehalt monatsgehalt
    bruttolohn nettolohn cobro recebo back~taxes owe~the i~owe we~owe ctc package~of i~make we~make
    credit~score
    """
)
AMOUNT = r"(?:[$€£₹][ ]?\d|\d[\d.,  ]{0,15}[ ]?(?:€|\$|£|₹|k\b|eur\b|euros?\b|usd\b|dollars?\b|pounds?\b|reais\b|rs\b|lakh|lpa\b|crore|netto\b|brutto\b|netos?\b|brutos?\b|mil\b|tausend\b|mille\b))"

PASSWORD_LABELS = _split(
    """
    password passwort passwd passphrase passcode pass pwd pw kennwort mot~de~passe mdp contraseña contrasena
    clave clave~de~acceso senha wachtwoord ww parola~d'ordine code~wifi wifi~code wlan-schlüssel wifi-key
    lösenord lösenordet adgangskode passord passordet salasana salasanan heslo hasło hasła jelszó jelszava
    parolă parola parolası parolam şifre şifresi şifrem şifreniz kata~sandi mật~khẩu
    пароль пароля паролі паролем κωδικός κωδικό κωδικού συνθηματικό סיסמה סיסמא הסיסמה הסיסמא
    كلمة~المرور كلمة~السر كلمه~المرور الرقم~السري رمز~المرور पासवर्ड पासवर्ड़ कूटशब्द
    パスワード パスコード 密码 密碼 口令 비밀번호 패스워드 암호
    """
)
# A PIN is short and all digits: it needs its own label and a 4-8 digit value right after it.
PIN_LABELS = _split(
    """
    pin pin~code pincode pin-code upi~pin atm~pin card~pin code~pin code~pin~de code~secret geheimzahl
    geheimnummer pin-nummer pin-nr código~pin codigo~pin número~pin numero~pin pincode~is door~code gate~code
    digicode code~digicode türcode tür-code torcode alarm~code alarmcode code~alarme code~d'alarme código~de~la~puerta
    código~del~portal código~do~portão codice~del~portone deurcode toegangscode keypad~code lock~code
    access~code code~d'accès code~d'acces zugangscode
    """
)
LOGIN_LABELS = _split(
    """
    login inlog zugangsdaten zugang credenziali credenciales credenciais identifiant identifiants benutzer
    benutzername usuario utente gebruikersnaam username user creds
    """
)
SECRET_LABELS = _split(
    """
    api~key api-key apikey api-schlüssel schlüssel clé cle~api clave chave sleutel api-sleutel chiave token
    secret secreto segredo segreto geheim geheime geheimer geheimen webhook~secret client_secret key_secret
    secret_key api_secret app_secret access_token auth_token api_token access_key secret_access_key private_token
    signing_key client-secret secret-key api-token access-token seed 2fa~seed totp~seed otp~secret totp~secret
    backup~code backup~codes recovery~code recovery~codes recovery~key
    nyckel api-nyckel avain klucz klucza klíč anahtar anahtarı anahtarım kulcs cheie
    ключ ключа ключі токен токена токены секрет секретный κλειδί κλειδιού διακριτικό מפתח טוקן
    مفتاح المفتاح رمز~الوصول توكن कुंजी टोकन
    トークン アクセストークン キー apiキー アクセスキー シークレット 秘密鍵 シークレットキー
    密钥 密鑰 秘钥 令牌 访问令牌 토큰 api~키 액세스~키 비밀~키 시크릿
    """
)
DOB_LABELS = _split(
    """
    dob d.o.b date~of~birth date_of_birth date-of-birth dateofbirth birth~date birth_date birthdate birth-date
    birthday born geburtsdatum geburtstag geboren geb. date~de~naissance date_de_naissance né~le née~le ne~le
    nee~le naissance fecha~de~nacimiento fecha_de_nacimiento fecha_nacimiento fecha~nacimiento nací naci
    nacido nacida data~de~nascimento data_de_nascimento data_nascimento nasci nascido nascida nasceu
    geboortedatum data~di~nascita data_di_nascita nato~il nata~il sono~nato sono~nata janam cumpleaños nacque
    aniversário
    """
)
# Stories, not forms: "X was born on …" needs a speaker before it to be personal data.
DOB_STORY_LABELS = (
    "born",
    "geboren",
    "né",
    "née",
    "ne le",
    "nee le",
    "nacido",
    "nacida",
    "nasceu",
    "nato",
    "nata",
    "nació",
    "nacio",
    "nacque",
    "janam",
    "werd geboren",
)
ID_LABELS = _split(
    """
    dni nie nif documento documento~nacional~de~identidad número~de~identidad numero~de~identidad
    identidad~de~extranjero cpf bsn burgerservicenummer sofinummer sofi-nummer steuer-id steuer-idnr steuerid
    steuer~id steueridentifikationsnummer steuerliche~identifikationsnummer idnr identifikationsnummer sécu secu
    sécurité~sociale securite~sociale nir insee aadhaar aadhar uidai pan nhs sin social~insurance tfn tax~file
    codice~fiscale cf c.f contribuinte pesel passport passport_number passport_no passeport pasaporte
    passaporte passaporto passnummer pass-nr reisepass reisepassnummer paspoort national~id national_id
    national-id nationalid national~identity id~number id_number id-number id~no id~nr id~card identity~number
    identity~card identity~document personalausweis ausweis ausweisnummer carte~d'identité carte~d'identite
    cédula cedula identiteitskaart carta~d'identità tax~id tax_id tax-id número~fiscal numero~fiscal
    itin individual~taxpayer rijksregisternummer rijksregister registre~national numéro~national numero~national
    insz pps ppsn pps~number chinese~id resident~identity 身份证 居民身份证 cuit cuil rut rol~único sa~id
    south~african~id utr unique~taxpayer personnummer personnr cpr cpr-nummer henkilötunnus hetu fødselsnummer
    fodselsnummer cnp tc~kimlik kimlik amka ahv ahv-nummer avs numéro~avs sozialversicherungsnummer svnr
    sv-nummer curp 주민등록번호 resident~registration personalausweisnummer personalausweis-nr ausweis-nr ausweisnr
    numéro~d'identité numero~d'identite numéro~de~carte~d'identité identiteitsnummer id-nummer número~de~documento
    numero~de~documento número~do~documento numero~do~documento documento~de~identidad carteira~de~identidade
    numero~documento documento~d'identità identity~no
    """
)
ACCOUNT_LABELS = _split(
    """
    a/c acct account acc account~number account_number account~no kontonummer konto konto-nr kontonr cuenta
    número~de~cuenta numero~de~cuenta conta conta~corrente rekening rekeningnummer conto conto~corrente
    numero~di~conto compte numéro~de~compte numero~de~compte
    """
)
# What ties a street address after it to a person.
ADDRESS_CUES = _split(
    """
    my~address my~home~address my~new~address our~address our~new~address meine~adresse meine~neue~adresse
    unsere~adresse mon~adresse ma~nouvelle~adresse notre~adresse mi~dirección mi~direccion mi~nueva~dirección
    nuestra~dirección meu~endereço meu~endereco meu~novo~endereço nosso~endereço mijn~adres ons~adres
    il~mio~indirizzo mio~indirizzo mera~address meri~address mera~pata home~address home_address home-address
    shipping~address shipping_address delivery~address delivery_address billing~address billing_address
    postal~address mailing~address private~address residential~address new~address lieferadresse wohnadresse
    privatadresse rechnungsadresse postadresse anschrift adresse~de~livraison adresse~postale dirección~de~envío
    direccion~de~envio dirección~de~entrega endereço~de~entrega endereco~de~entrega indirizzo~di~consegna
    indirizzo~di~spedizione bezorgadres woonadres postadres i~live we~live i~moved we~moved i~stay ich~wohne
    wir~wohnen j'habite j’habite vivo~en moro~na moro~no moro~em ik~woon abito~in abito~a rehta~hoon
    rehti~hoon ship deliver envíalo envialo envía envia envíame enviame mándalo manda schick schicke liefer
    stuur spedisci spediscimi envoie envoyer livrer livraison entrega consegna bezorg recipient destinatario
    destinataire empfänger cliente customer kunde name nombre nome naam patient applicant contact
    address: adresse: anschrift: indirizzo: endereço: endereco: dirección: direccion: adres: adresa:
    my~place our~place my~new~place our~new~place my~flat my~apartment my~house our~house our~flat chez~moi
    chez~nous mi~casa nuestra~casa minha~casa nossa~casa casa~mia a~casa~mia
    ghar mera~ghar hamara~ghar livrez livrer mon~domicile mi~domicilio meu~domicílio send~it~to send~them~to
    send~to mail~it~to post~it~to 住所 送り先 お届け先 配送先 收货地址 地址
    """
)
