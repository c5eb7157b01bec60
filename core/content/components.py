"""The vocabulary of system-design components: each kind and the words that name it.

Shared content: the whiteboard reader recognises boxes by these words, rubrics and problems
name the kinds their topics and reference designs are drawn with.
"""

from __future__ import annotations

# Kind → phrases that name it on a whiteboard (lower case, matched as whole words; the longest
# phrase found in a label wins, so "DB replica" is a replica and "key generation service" an id generator).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "client": (
        "client", "clients", "user", "users", "browser", "browsers", "mobile", "mobile app", "web app", "frontend",
        "front end", "ios", "android", "rider app", "driver app", "customer", "customers", "sender", "receiver",
    ),
    "dns": ("dns", "route 53", "route53", "dns resolver"),
    "cdn": ("cdn", "cloudfront", "akamai", "fastly", "edge", "edge cache", "content delivery network"),
    "load balancer": (
        "lb", "elb", "alb", "nlb", "load balancer", "load balancers", "loadbalancer", "nginx", "haproxy", "envoy",
        "reverse proxy", "balancer",
    ),
    "api gateway": ("api gateway", "gateway", "api gw", "apigw", "kong", "ingress"),
    "api server": (
        "api", "apis", "api server", "api servers", "app server", "app servers", "application server", "web server",
        "web servers", "server", "servers", "backend", "backends", "service", "services", "web tier", "app tier",
        "microservice", "microservices", "origin", "origin server", "origin servers",
    ),
    "websocket server": ("websocket", "websockets", "ws server", "socket server", "websocket gateway", "chat server"),
    "worker": (
        "worker", "workers", "consumer", "consumers", "job", "jobs", "batch job", "cron", "fan out", "fanout",
        "transcoder", "transcoding", "fetcher", "fetchers", "crawler", "processor",
    ),
    "cache": (
        "cache", "caches", "caching", "redis", "memcached", "memcache", "in memory cache", "cache cluster",
        "elasticache", "hot cache",
    ),
    "database": (
        "db", "dbs", "database", "databases", "postgres", "postgresql", "mysql", "sql", "rdbms", "cassandra",
        "dynamodb", "dynamo", "mongodb", "mongo", "nosql", "key value store", "kv store", "kv", "primary", "master",
        "data store", "datastore", "store", "storage", "spanner", "cockroachdb", "hbase", "bigtable", "ledger",
    ),
    "replica": (
        "replica", "replicas", "read replica", "read replicas", "replication", "slave", "slaves", "follower",
        "followers", "secondary", "standby",
    ),
    "queue": (
        "queue", "queues", "message queue", "mq", "kafka", "sqs", "rabbitmq", "rabbit", "pubsub", "pub sub",
        "kinesis", "event bus", "stream", "topic", "broker", "nats", "pulsar",
    ),
    "object store": (
        "s3", "object store", "object storage", "blob", "blob store", "blob storage", "gcs", "bucket", "buckets",
        "file store", "file storage", "hdfs", "images store", "media store",
    ),
    "search index": (
        "elasticsearch", "elastic search", "elastic", "opensearch", "solr", "lucene", "search index", "search",
        "inverted index", "index", "trie", "prefix index",
    ),
    "id generator": (
        "id generator", "id gen", "key generation service", "key generator", "kgs", "snowflake", "ticket server",
        "counter service", "sequence generator",
    ),
    "rate limiter": ("rate limiter", "rate limit", "rate limiting", "throttle", "throttler", "token bucket"),
    "data warehouse": (
        "data warehouse", "warehouse", "analytics", "analytics store", "analytics db", "olap", "bigquery",
        "redshift", "snowflake db", "clickhouse", "data lake",
    ),
    "stream processor": ("flink", "spark", "spark streaming", "stream processor", "stream processing", "aggregator"),
    "geo index": ("geo index", "geospatial index", "geohash", "quadtree", "quad tree", "s2", "h3", "location index"),
    "notification service": ("push", "push notification", "notifications", "notification service", "apns", "fcm",
                             "sms", "email", "twilio", "sendgrid"),
    "external service": ("psp", "stripe", "payment provider", "third party", "3rd party", "bank", "adyen", "paypal"),
    "feature store": ("feature store", "online store", "offline store", "features"),
    "model server": ("model", "model server", "ranker", "ranking", "ranking service", "ml model", "inference"),
    "scheduler": ("scheduler", "url frontier", "frontier", "airflow", "orchestrator"),
    "monitoring": ("monitoring", "metrics", "prometheus", "grafana", "alerting", "logging"),
}  # fmt: skip

KINDS: tuple[str, ...] = tuple(SYNONYMS)
