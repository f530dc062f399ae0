-- Whether a table (or view) exists in a database: n = 1 when it does, 0 when it (or the database) does not.
-- Parameters: {database:String}, {table:String}.
SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {table:String}
