"""Resume profiles: name, email, years of experience, level, domains and skills from resume text.

No LLM: keyword tables kept below as plain module data, so what the reader finds is
predictable and easy to extend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from core.candidates.resume_file import clean_text
from core.models import Level, ResumeProfile
from core.single_line import single_line

# --------------------------------------------------------------------------------------------
# Profile extraction: keyword tables
# --------------------------------------------------------------------------------------------
# fmt: off

# The only domain names we ever emit (problem-bank domains use the same words).
DOMAINS: tuple[str, ...] = (
    "payments", "ecommerce", "social", "messaging", "media", "search", "ml", "data",
    "infrastructure", "geo", "web",
)
MAX_DOMAINS = 4

# Phrases are lower-case; a space or hyphen inside one also matches the other (or nothing),
# so "e-commerce" matches "ecommerce" and "e commerce"; a trailing plural "s" is optional.
# Every occurrence counts as evidence, so the domains a resume talks about most come first.
DOMAIN_KEYWORDS: dict[str, tuple[str, ...]] = {
    "payments": (
        "payment", "stripe", "fintech", "billing", "ledger", "invoicing", "invoice", "credit card",
        "card processing", "pci", "fraud", "banking", "paypal", "adyen", "braintree",
        "money movement", "settlement", "reconciliation", "payout", "acquiring", "wallet",
    ),
    "ecommerce": (
        "e-commerce", "shop", "shopping", "online store", "retail", "marketplace", "checkout",
        "inventory", "cart", "shopify", "product catalog", "order management", "fulfillment",
        "fulfilment",
    ),
    "social": (
        "social network", "social media", "social graph", "news feed", "feed", "community",
        "followers", "user-generated content", "facebook", "instagram", "tiktok", "reddit",
    ),
    "messaging": (
        "chat", "messaging", "messenger", "notification", "push notification", "real-time",
        "instant messaging", "websocket", "whatsapp", "sms", "xmpp",
    ),
    "media": (
        "video", "streaming", "media", "audio", "music", "podcast", "transcoding", "live stream",
        "netflix", "youtube", "spotify", "twitch", "photo",
    ),
    "search": (
        "search", "elasticsearch", "opensearch", "solr", "lucene", "ranking", "indexing",
        "information retrieval", "relevance", "autocomplete", "typeahead", "query understanding",
    ),
    "ml": (
        "machine learning", "ml", "pytorch", "tensorflow", "model training", "feature store",
        "deep learning", "neural network", "nlp", "natural language processing",
        "computer vision", "llm", "large language model", "recommendation system",
        "recommender", "scikit-learn", "xgboost", "mlops", "model serving", "inference",
        "artificial intelligence", "data science",
    ),
    "data": (
        "kafka", "spark", "etl", "elt", "data pipeline", "data engineering", "warehouse",
        "data lake", "lakehouse", "airflow", "hadoop", "flink", "hive", "big data", "snowflake",
        "bigquery", "redshift", "dbt", "analytics", "stream processing", "batch processing",
        "data platform", "event streaming",
    ),
    "infrastructure": (
        "kubernetes", "k8s", "sre", "site reliability", "cloud", "aws", "amazon web services",
        "gcp", "google cloud", "azure", "terraform", "distributed system", "docker", "devops",
        "infrastructure", "platform engineering", "ci/cd", "observability", "service mesh",
        "load balancing", "autoscaling", "prometheus", "on-call",
    ),
    "geo": (
        "maps", "geospatial", "gis", "geolocation", "location-based", "gps", "ride",
        "ride-hailing", "ride-sharing", "rideshare", "delivery", "logistics", "last-mile",
        "fleet management", "dispatch", "navigation", "geohash", "postgis", "uber", "lyft",
        "doordash",
    ),
    "web": (
        "web", "frontend", "front-end", "full-stack", "react", "django", "angular", "vue",
        "next.js", "ruby on rails", "rails", "html", "css", "javascript", "website",
        "web application", "single-page application",
    ),
}

# Phrases that contain a domain's keyword but are no evidence for that domain.
DOMAIN_EXCLUSIONS: dict[str, tuple[str, ...]] = {
    "media": (
        "social media", "event streaming", "streaming data", "data streaming", "spark streaming",
        "kafka streaming", "streaming pipeline", "streaming etl", "media quer",
    ),
    "geo": (
        "continuous delivery", "software delivery", "project delivery", "product delivery",
        "feature delivery", "on-time delivery", "timely delivery", "delivery manager",
        "delivery lead",
    ),
    "web": ("amazon web services", "web-scale", "web scale"),
}


class Skill(NamedTuple):
    name: str  # canonical spelling, as shown to people
    aliases: tuple[str, ...]  # lower-case, matched case-insensitively
    exact: tuple[str, ...] = ()  # matched case-sensitively (for names that are common words)


SKILLS: tuple[Skill, ...] = (
    # Languages
    Skill("Python", ("python",)),
    Skill("Java", ("java",)),
    Skill("Go", ("golang",), exact=("Go",)),
    Skill("Rust", ("rust",)),
    Skill("C++", ("c++", "cpp")),
    Skill("C#", ("c#", "csharp")),
    Skill("JavaScript", ("javascript", "ecmascript")),
    Skill("TypeScript", ("typescript",)),
    Skill("Kotlin", ("kotlin",)),
    Skill("Scala", ("scala",)),
    Skill("Ruby", ("ruby",)),
    Skill("PHP", ("php",)),
    Skill("Swift", (), exact=("Swift",)),
    Skill("Objective-C", ("objective-c", "objective c")),
    Skill("Elixir", ("elixir",)),
    Skill("Erlang", ("erlang",)),
    Skill("Haskell", ("haskell",)),
    Skill("Clojure", ("clojure",)),
    Skill("SQL", ("sql",)),
    Skill("Bash", ("bash",)),
    # Databases and stores
    Skill("PostgreSQL", ("postgresql", "postgres")),
    Skill("MySQL", ("mysql",)),
    Skill("SQLite", ("sqlite",)),
    Skill("SQL Server", ("sql server", "mssql")),
    Skill("MongoDB", ("mongodb", "mongo")),
    Skill("Redis", ("redis",)),
    Skill("Memcached", ("memcached",)),
    Skill("Cassandra", ("cassandra",)),
    Skill("DynamoDB", ("dynamodb",)),
    Skill("Elasticsearch", ("elasticsearch", "elastic search")),
    Skill("OpenSearch", ("opensearch",)),
    Skill("Solr", ("solr",)),
    Skill("Neo4j", ("neo4j",)),
    Skill("ClickHouse", ("clickhouse",)),
    Skill("CockroachDB", ("cockroachdb",)),
    Skill("Spanner", ("spanner",)),
    Skill("Bigtable", ("bigtable",)),
    Skill("HBase", ("hbase",)),
    Skill("Snowflake", ("snowflake",)),
    Skill("BigQuery", ("bigquery",)),
    Skill("Redshift", ("redshift",)),
    # Queues and streaming
    Skill("Kafka", ("kafka",)),
    Skill("RabbitMQ", ("rabbitmq",)),
    Skill("SQS", ("sqs",)),
    Skill("Kinesis", ("kinesis",)),
    Skill("Pub/Sub", ("pub/sub", "pubsub")),
    Skill("Pulsar", ("pulsar",)),
    Skill("Celery", ("celery",)),
    # Data and ML
    Skill("Spark", ("spark", "pyspark")),
    Skill("Flink", ("flink",)),
    Skill("Hadoop", ("hadoop",)),
    Skill("Hive", ("hive",)),
    Skill("Airflow", ("airflow",)),
    Skill("dbt", ("dbt",)),
    Skill("Presto", ("presto",)),
    Skill("Trino", ("trino",)),
    Skill("Pandas", ("pandas",)),
    Skill("NumPy", ("numpy",)),
    Skill("PyTorch", ("pytorch",)),
    Skill("TensorFlow", ("tensorflow",)),
    Skill("scikit-learn", ("scikit-learn", "sklearn")),
    Skill("XGBoost", ("xgboost",)),
    Skill("MLflow", ("mlflow",)),
    Skill("Kubeflow", ("kubeflow",)),
    # Cloud and infrastructure
    Skill("AWS", ("aws", "amazon web services")),
    Skill("GCP", ("gcp", "google cloud")),
    Skill("Azure", ("azure",)),
    Skill("S3", ("s3",)),
    Skill("EC2", ("ec2",)),
    Skill("AWS Lambda", ("aws lambda",)),
    Skill("Docker", ("docker",)),
    Skill("Kubernetes", ("kubernetes", "k8s")),
    Skill("Helm", (), exact=("Helm",)),
    Skill("Terraform", ("terraform",)),
    Skill("Ansible", ("ansible",)),
    Skill("Jenkins", ("jenkins",)),
    Skill("GitHub Actions", ("github actions",)),
    Skill("CircleCI", ("circleci",)),
    Skill("Prometheus", ("prometheus",)),
    Skill("Grafana", ("grafana",)),
    Skill("Datadog", ("datadog",)),
    Skill("OpenTelemetry", ("opentelemetry",)),
    Skill("Nginx", ("nginx",)),
    Skill("Envoy", (), exact=("Envoy",)),
    Skill("Istio", ("istio",)),
    Skill("ZooKeeper", ("zookeeper",)),
    Skill("Linux", ("linux",)),
    Skill("Git", ("git",)),
    # Frameworks and APIs
    Skill("Django", ("django",)),
    Skill("Flask", ("flask",)),
    Skill("FastAPI", ("fastapi",)),
    Skill("Spring", ("spring boot", "spring framework", "spring mvc", "spring cloud")),
    Skill("Rails", ("ruby on rails", "rails")),
    Skill("Node.js", ("node.js", "nodejs", "node js")),
    Skill("React", ("react.js", "reactjs", "react native"), exact=("React",)),
    Skill("Angular", ("angular", "angularjs")),
    Skill("Vue", ("vue", "vue.js", "vuejs")),
    Skill("Next.js", ("next.js", "nextjs")),
    Skill(".NET", (".net", "asp.net", "dotnet")),
    Skill("GraphQL", ("graphql",)),
    Skill("gRPC", ("grpc",)),
    Skill("REST", ("restful",), exact=("REST",)),
    Skill("HTML", ("html", "html5")),
    Skill("CSS", ("css", "css3")),
)

# Section headings, compared after lower-casing and dropping decoration (":", "#", "&" → "and").
EXPERIENCE_HEADINGS = frozenset({
    "experience", "work experience", "professional experience", "employment",
    "employment history", "work history", "career history", "relevant experience",
    "industry experience", "professional history", "career", "experience and projects",
    "engineering experience", "technical experience",
})
# Sections whose dates are not employment (degrees, side projects...).
NON_WORK_HEADINGS = frozenset({
    "education", "education and training", "projects", "personal projects", "side projects",
    "selected projects", "certifications", "certificates", "publications", "awards", "honors",
    "honours", "awards and honors", "volunteer", "volunteering", "volunteer experience",
    "coursework", "relevant coursework", "courses", "training", "patents", "talks",
    "open source", "activities", "leadership",
})
OTHER_HEADINGS = NON_WORK_HEADINGS | frozenset({
    "skills", "technical skills", "core skills", "key skills", "skills and tools",
    "technologies", "interests", "hobbies", "languages", "references", "summary",
    "professional summary", "profile", "objective", "about", "about me", "contact",
    "achievements",
})

# Words that never appear in a person's name line (headings, job titles, places, companies).
NOT_NAME_WORDS = frozenset({
    "resume", "résumé", "curriculum", "vitae", "cv", "profile", "summary", "contact",
    "experience", "education", "skills", "objective", "work", "history", "professional",
    "engineer", "engineering", "developer", "manager", "senior", "staff", "principal", "lead",
    "software", "scientist", "architect", "intern", "director", "consultant", "analyst",
    "designer", "technical", "personal", "information", "details", "projects", "references",
    "page", "about", "me", "career", "employment", "certifications", "languages", "interests",
    "address", "phone", "email", "linkedin", "github", "portfolio", "website", "inc", "llc",
    "ltd", "corp", "university", "college", "school", "institute", "street", "avenue", "road",
    "data", "machine", "learning", "backend", "frontend", "full", "stack", "web", "mobile",
    "cloud", "systems", "platform", "product", "team", "the", "and", "of", "for", "at", "in",
    "to", "with", "present",
})
HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof"})
NAME_PARTICLES = frozenset({
    "de", "del", "della", "der", "den", "van", "von", "da", "di", "du", "la", "le", "bin", "al",
})

# Years of experience → level (first threshold reached wins).
LEVEL_BY_YEARS: tuple[tuple[float, Level], ...] = (
    (10.0, Level.STAFF),
    (6.0, Level.SENIOR),
    (3.0, Level.MID),
    (0.0, Level.JUNIOR),
)
# A junior title ("Junior Developer", "intern", "new grad") decides the level unless the
# years clearly say otherwise, i.e. reach this many.
JUNIOR_TITLE_OVERRIDDEN_AT_YEARS = 4.0

# Titles, matched on lower-cased text. Up to three words may sit between the rank and the role
# ("senior software engineer", "principal machine learning engineer").
_ROLE = r"(?:engineer|developer|programmer|architect|scientist|sre|swe|researcher|analyst)"
_BETWEEN = r"(?:[ \t]+[a-z/&+.\-]+){0,3}?"
STAFF_TITLE_PATTERNS: tuple[str, ...] = (
    rf"\b(?:staff|principal|distinguished){_BETWEEN}[ \t]+{_ROLE}\b",
)
SENIOR_TITLE_PATTERNS: tuple[str, ...] = (
    rf"\b(?:senior|sr\.?){_BETWEEN}[ \t]+{_ROLE}\b",
    rf"\blead{_BETWEEN}[ \t]+{_ROLE}\b",
    r"\b(?:tech|technical|team|engineering)[ \t]+lead\b",
)
JUNIOR_TITLE_PATTERNS: tuple[str, ...] = (
    rf"\b(?:junior|jr\.?){_BETWEEN}[ \t]+{_ROLE}\b",
    rf"\bgraduate{_BETWEEN}[ \t]+{_ROLE}\b",
    r"\bnew[ \t-]*grad(?:uate)?\b",
    r"\bentry[ \t-]*level\b",
    r"\bapprentice\b",
    r"\bintern(?:ship)?\b",
)
# A title right after these words is someone else's: "mentored an intern",
# "reported to the principal engineer", "hired a senior engineer".
_SOMEONE_ELSES_TITLE = re.compile(
    r"\b(?:mentor|manag|hir|supervis|onboard|coach|led|lead|train|report|partner|assist|support"
    r"|help|with|alongside|under)\w*\W+(?:\w+\W+){0,2}$"
)

# Explicit statements: "8+ years of experience", "over 10 years' professional experience",
# "5 years building payment systems", "Experience: 7 years".
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
_NUM = r"(?P<n>\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + r")"
_YEARS = r"\s*\+?\s*(?:years?|yrs?)['’]?"
EXPLICIT_YEARS_PATTERNS: tuple[str, ...] = (
    rf"\b{_NUM}{_YEARS}\s+(?:of\s+)?(?:[a-z/&,\-]+\s+){{0,4}}?(?:experience|exp)\b",
    rf"\b{_NUM}{_YEARS}\s+(?:of\s+)?(?:building|designing|developing|working|leading|shipping|"
    r"writing|engineering|running|scaling|in\s+(?:the\s+)?(?:software|tech|technology|industry))\b",
    rf"\bexperience\s*(?::|-|–|of)\s*(?:over\s+|more\s+than\s+|about\s+)?{_NUM}{_YEARS}",
)

# Date ranges: "Jan 2019 – Mar 2022", "2016 - present", "03/2018 to 06/2020", "Summer 2021 - 2022".
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12, "spring": 4, "summer": 7, "fall": 10, "autumn": 10,
    "winter": 1,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|fall|autumn|winter)"
)
_YEAR = r"(?:19[6-9]\d|20\d\d)"
_DATE = (
    rf"(?:{_MONTH}\.?,?[ \t]*{_YEAR}"  # Jan 2019, March, 2020
    rf"|(?:0?[1-9]|1[0-2])[/.]{_YEAR}"  # 03/2019
    rf"|{_YEAR}(?:[/.-](?:0[1-9]|1[0-2])(?!\d))?)"  # 2019, 2019-03
)
_ONGOING = r"(?:present|current|now|today|ongoing)"
_RANGE_SEP = r"[ \t]*(?:-|–|—|‒|~|to|until|till|through|thru)[ \t]*"

# fmt: on


# --------------------------------------------------------------------------------------------
# Profile extraction
# --------------------------------------------------------------------------------------------


def extract_profile(text: str) -> ResumeProfile:
    """Pull name, email, experience, level, domains and skills out of resume text."""
    text = clean_text(text or "")
    lines = [line for line in text.split("\n") if line]
    lowered = text.lower()
    years = _explicit_years(lowered)
    if years is None:
        years = years_from_date_ranges(_work_history_text(lines))
    return ResumeProfile(
        name=single_line(_find_name(lines)) or None,  # a header value later: never a line break in it
        email=_find_email(text),
        years_experience=years,
        level=_infer_level(years, lowered),
        domains=_find_domains(lowered),
        skills=_find_skills(text),
    )


# Name ---------------------------------------------------------------------------------------

_NAME_LABEL = re.compile(r"^(?:full[ \t]+)?name[ \t]*[:：][ \t]*(?P<value>.+)$", re.IGNORECASE)
_SEGMENT_SPLIT = re.compile(r"[ \t]*[|•·,;–—][ \t]*|[ \t]+-[ \t]+|\t|[ \t]{3,}")


def _find_name(lines: list[str]) -> str | None:
    head = lines[:30]
    for line in head:
        match = _NAME_LABEL.match(line)
        if match:
            name = _plausible_name(match.group("value"), min_words=1, max_words=5)
            if name:
                return name
    for line in head[:12]:
        for segment in _SEGMENT_SPLIT.split(line):
            name = _plausible_name(segment)
            if name:
                return name
    return None


def _plausible_name(segment: str, *, min_words: int = 2, max_words: int = 4) -> str | None:
    words = segment.strip(" .:").split()
    while words and words[0].lower().rstrip(".") in HONORIFICS:
        words = words[1:]
    if not min_words <= len(words) <= max_words:
        return None
    if any(ch.isdigit() or ch in "@/:()[]{}<>=+#&" for ch in segment):
        return None
    for i, word in enumerate(words):
        core = word.strip(".,")
        if not core or not all(ch.isalpha() or ch in "'’-." for ch in core):
            return None
        if core.lower() in NOT_NAME_WORDS:
            return None
        if not core[0].isupper() and not (0 < i < len(words) - 1 and core in NAME_PARTICLES):
            return None
    name = " ".join(words).strip(",")
    if name.isupper() and len(name.replace(" ", "")) > 3:  # "JANE DOE" → "Jane Doe"
        name = " ".join(_title_word(w) for w in name.split())
    return name


def _title_word(word: str) -> str:
    # Capitalise each run of letters: "O'NEIL-SMITH" → "O'Neil-Smith".
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), word)


# Email --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")


def _find_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


# Years of experience --------------------------------------------------------------------------


def _explicit_years(lowered: str) -> float | None:
    found: list[float] = []
    for pattern in EXPLICIT_YEARS_PATTERNS:
        for match in re.finditer(pattern, lowered):
            raw = match.group("n")
            value = float(_NUMBER_WORDS[raw]) if raw in _NUMBER_WORDS else float(raw)
            if 0 < value <= 50:
                found.append(value)
    return max(found) if found else None


def _normalise_heading(line: str) -> str:
    line = line.lower().replace("&", " and ")
    line = re.sub(r"[^\w\s/]", " ", line)
    return " ".join(line.split())


def _sections(lines: list[str]) -> list[tuple[str, str]]:
    """(section, line) pairs; section is "experience", another heading's name, or "preamble"."""
    current = "preamble"
    out: list[tuple[str, str]] = []
    for line in lines:
        heading = _normalise_heading(line) if len(line) <= 40 else ""
        if heading in EXPERIENCE_HEADINGS:
            current = "experience"
            continue
        if heading in OTHER_HEADINGS:
            current = heading
            continue
        out.append((current, line))
    return out


def _work_history_text(lines: list[str]) -> str:
    """The experience section(s); without one, everything except education-like sections."""
    sections = _sections(lines)
    work = [line for section, line in sections if section == "experience"]
    if not work:
        work = [line for section, line in sections if section not in NON_WORK_HEADINGS]
    return "\n".join(work)


_RANGE = re.compile(rf"(?<![\w/.])(?P<start>{_DATE}){_RANGE_SEP}(?P<end>{_DATE}|{_ONGOING})(?!\w)")
_DATE_PARTS = re.compile(
    rf"(?P<mon>{_MONTH})\.?,?[ \t]*(?P<y1>{_YEAR})|(?P<mm>0?[1-9]|1[0-2])[/.](?P<y2>{_YEAR})"
    rf"|(?P<y3>{_YEAR})(?:[/.-](?P<mm3>0[1-9]|1[0-2]))?"
)


def years_from_date_ranges(text: str, *, now: datetime | None = None) -> float | None:
    """Total years covered by date ranges like "Jan 2019 – Mar 2022" or "2016 – present".

    Overlapping jobs count once. A month-precise range includes both end months; a bare year
    counts as mid-year.
    """
    now = now or datetime.now()
    this_month_end = now.year * 12 + now.month  # exclusive end of the current month
    intervals: list[tuple[int, int]] = []
    for match in _RANGE.finditer(text.lower()):
        start = _parse_date(match.group("start"), is_end=False)
        end_raw = match.group("end")
        end = this_month_end if re.fullmatch(_ONGOING, end_raw) else _parse_date(end_raw, is_end=True)
        if start is None or end is None or start >= this_month_end:
            continue
        end = min(end, this_month_end)
        if end <= start:
            if end == start and match.group("start")[-4:] == end_raw[-4:]:
                end = start + 6  # "2019 – 2019": some part of one year
            else:
                continue
        if end - start > 50 * 12:
            continue
        intervals.append((start, end))
    if not intervals:
        return None
    total = 0
    intervals.sort()
    cur_start, cur_end = intervals[0]
    for start, end in intervals[1:]:
        if start <= cur_end:
            cur_end = max(cur_end, end)
        else:
            total += cur_end - cur_start
            cur_start, cur_end = start, end
    total += cur_end - cur_start
    return round(total / 12, 1)


def _parse_date(token: str, *, is_end: bool) -> int | None:
    """Month index (year * 12 + month - 1); for an end date, the exclusive end of that month."""
    match = _DATE_PARTS.fullmatch(token.strip())
    if match is None:
        return None
    if match.group("mon"):
        word = match.group("mon")
        year, month = int(match.group("y1")), _MONTHS.get(word, _MONTHS.get(word[:3], 1))
    elif match.group("mm"):
        year, month = int(match.group("y2")), int(match.group("mm"))
    elif match.group("mm3"):
        year, month = int(match.group("y3")), int(match.group("mm3"))
    else:  # a bare year: mid-year, for a start as for an end
        return int(match.group("y3")) * 12 + 6
    return year * 12 + month - 1 + (1 if is_end else 0)


# Level ---------------------------------------------------------------------------------------


def level_for_years(years: float) -> Level:
    for threshold, level in LEVEL_BY_YEARS:
        if years >= threshold:
            return level
    return Level.JUNIOR


_LEVEL_ORDER = (Level.JUNIOR, Level.MID, Level.SENIOR, Level.STAFF)


def _infer_level(years: float | None, lowered: str) -> Level:
    by_years = level_for_years(years) if years is not None else None
    if _has_title(lowered, STAFF_TITLE_PATTERNS):
        return Level.STAFF
    if _has_title(lowered, SENIOR_TITLE_PATTERNS):
        if by_years is None:
            return Level.SENIOR
        return max(by_years, Level.SENIOR, key=_LEVEL_ORDER.index)
    if _has_title(lowered, JUNIOR_TITLE_PATTERNS) and (years is None or years < JUNIOR_TITLE_OVERRIDDEN_AT_YEARS):
        return Level.JUNIOR
    return by_years or Level.MID


def _has_title(lowered: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        for match in re.finditer(pattern, lowered):
            before = lowered[max(0, match.start() - 40) : match.start()]
            if not _SOMEONE_ELSES_TITLE.search(before):
                return True
    return False


# Domains -------------------------------------------------------------------------------------


def _phrase_pattern(phrase: str) -> str:
    body = r"[ \t\-]?".join(re.escape(part) for part in re.split(r"[ \-]", phrase))
    plural = "s?" if phrase[-1].isalpha() else ""
    return rf"(?<![a-z0-9]){body}{plural}(?![a-z0-9])"


def _needle(phrase: str) -> str:
    """A plain substring every match of the phrase contains: a cheap test before any regex."""
    return re.split(r"[ \-]", phrase)[0]


_DOMAIN_EXCLUSION_PATTERNS = {
    domain: re.compile("|".join(re.escape(e) for e in phrases)) for domain, phrases in DOMAIN_EXCLUSIONS.items()
}


def _find_domains(lowered: str) -> list[str]:
    scored: list[tuple[int, int, str]] = []
    for domain in DOMAINS:
        present = [k for k in DOMAIN_KEYWORDS[domain] if _needle(k) in lowered]
        if not present:
            continue
        text = lowered
        excluded = _DOMAIN_EXCLUSION_PATTERNS.get(domain)
        if excluded is not None:
            text = excluded.sub(lambda m: " " * len(m.group(0)), text)
        # One alternation, so "news feed" counts once rather than also as "feed".
        keywords = re.compile("|".join(_phrase_pattern(k) for k in present))
        positions = [m.start() for m in keywords.finditer(text)]
        if positions:
            scored.append((-len(positions), positions[0], domain))
    return [domain for _, _, domain in sorted(scored)[:MAX_DOMAINS]]


# Skills --------------------------------------------------------------------------------------

_SKILL_BEFORE = r"(?<![\w.+#])"
_SKILL_AFTER = r"(?![\w+#])(?!\.\w)"


def _compile_skills() -> list[tuple[str, list[tuple[str, re.Pattern[str]]]]]:
    """Per skill: (needle, pattern) pairs; the needle is searched for first, as a substring."""
    compiled = []
    for skill in SKILLS:
        patterns = [
            (alias, re.compile(f"{_SKILL_BEFORE}{re.escape(alias)}{_SKILL_AFTER}", re.IGNORECASE))
            for alias in skill.aliases
        ]
        patterns += [
            (exact, re.compile(f"{_SKILL_BEFORE}{re.escape(exact)}{_SKILL_AFTER}(?!-\\w)")) for exact in skill.exact
        ]
        compiled.append((skill.name, patterns))
    return compiled


_SKILL_PATTERNS = _compile_skills()


def _find_skills(text: str) -> list[str]:
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for name, patterns in _SKILL_PATTERNS:
        hits = [
            match.start()
            for needle, pattern in patterns
            if needle in (lowered if pattern.flags & re.IGNORECASE else text)
            for match in [pattern.search(text)]
            if match
        ]
        if hits:
            found.append((min(hits), name))
    return [name for _, name in sorted(found)]
