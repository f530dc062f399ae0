-- agentcost_schema: one row per version of the agentcost objects (views, price table) that `db init` installed,
-- so that an install can tell which version it runs and `db init` can upgrade an older one.
-- Parameters: {database:Identifier}. Fragments: on_cluster, engine.
CREATE TABLE IF NOT EXISTS {database:Identifier}.agentcost_schema {{ on_cluster }} (
    version UInt32,
    applied_at DateTime64(3, 'UTC'),
    package_version String
) ENGINE = {{ engine }}
ORDER BY version
