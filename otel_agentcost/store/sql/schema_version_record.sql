-- Records that this version of the agentcost objects is installed, once: running `db init` again adds nothing.
-- Parameters: {database:Identifier}, {version:UInt32}, {package_version:String}.
INSERT INTO {database:Identifier}.agentcost_schema (version, applied_at, package_version)
SELECT {version:UInt32}, now64(3), {package_version:String}
WHERE {version:UInt32} NOT IN (SELECT version FROM {database:Identifier}.agentcost_schema)
