package connector

import "github.com/dsrhost/dsrhost/sdk"

// Setting names, as admins write them in the integration's settings block.
const (
	settingDriver           = "driver"
	settingDSN              = "dsn"
	settingPoolSize         = "pool_size"
	settingStatementTimeout = "statement_timeout"
	settingMaxRows          = "max_rows"
	settingHashKey          = "hash_key"
	blockTable              = "table"
	tableName               = "name"
	tableIdentity           = "identity"
	tableColumns            = "columns"
	tableIdentifiers        = "identifiers"
	tableErase              = "erase"
	tableMask               = "mask"
	blockReference          = "reference"
	referenceColumn         = "column"
	referenceReferences     = "references"
)

// Defaults of the optional settings.
const (
	defaultPoolSize         = 4
	defaultStatementTimeout = "30s"
	defaultMaxRows          = 10000
)

func describe() *sdk.Description {
	return &sdk.Description{
		Name:    Name,
		Version: Version,
		Description: "Finds and erases a subject's rows in a PostgreSQL, MySQL/MariaDB or SQLite database, " +
			"following a declared dataset of tables, identity columns and foreign-key references; " +
			"erasure deletes or masks rows in one transaction.",
		Type:         sdk.SynchronousAPI,
		Capabilities: []sdk.Capability{sdk.CapabilityAccess, sdk.CapabilityDelete},
		Settings:     schema(),
	}
}

func schema() sdk.Schema {
	return sdk.Schema{
		Attributes: []sdk.Attribute{
			{Name: settingDriver, Type: sdk.TypeString, Required: true,
				Description: `The database: "postgres" (PostgreSQL), "mysql" (MySQL and MariaDB) or "sqlite".`},
			{Name: settingDSN, Type: sdk.TypeString, Required: true, Sensitive: true,
				Description: "How to connect: a PostgreSQL URL or keyword string, a MySQL DSN " +
					"(user:password@tcp(host:3306)/db), or a SQLite file path."},
			{Name: settingPoolSize, Type: sdk.TypeNumber, Default: float64(defaultPoolSize),
				Description: "Connections kept open to the database, at most."},
			{Name: settingStatementTimeout, Type: sdk.TypeDuration, Default: defaultStatementTimeout,
				Description: "How long each statement may run before the job fails as a timeout (and is retried)."},
			{Name: settingMaxRows, Type: sdk.TypeNumber, Default: float64(defaultMaxRows),
				Description: "Most rows one request may find across the dataset; above it the job fails, " +
					"touching nothing, so a wrong identity column cannot erase a table."},
			{Name: settingHashKey, Type: sdk.TypeString, Sensitive: true,
				Description: `Secret key of the "hash" mask strategy (HMAC-SHA256); required when a mask uses it.`},
		},
		Blocks: []sdk.Block{{
			Name: blockTable, Nesting: sdk.NestingList, MinItems: 1,
			Description: "A table of the dataset. A subject's rows are found through its identity columns, " +
				"or through its references to rows already found in other tables.",
			Schema: sdk.Schema{
				Attributes: []sdk.Attribute{
					{Name: tableName, Type: sdk.TypeString, Required: true,
						Description: "The table's name, in the connection's default schema."},
					{Name: tableIdentity, Type: sdk.TypeMapOfString,
						Description: `Identity columns: column = subject identifier ("email", "phone", "user_id", ` +
							`or the key of a further identifier). A row matching any of them is the subject's.`},
					{Name: tableColumns, Type: sdk.TypeListOfString,
						Description: "Columns returned for access; every column when absent."},
					{Name: tableIdentifiers, Type: sdk.TypeMapOfString,
						Description: "Identifiers found, passed to dependent integrations: identifier = column."},
					{Name: tableErase, Type: sdk.TypeString, Required: true,
						Description: `How erasure treats the subject's rows: "delete", "mask" (the mask map), or "none".`},
					{Name: tableMask, Type: sdk.TypeMapOfString,
						Description: `With erase = "mask": column = strategy, one of "null", "fixed:VALUE", "hash", ` +
							`"random" or "random:LENGTH", "truncate:year", "truncate:month" or "truncate:day".`},
				},
				Blocks: []sdk.Block{{
					Name: blockReference, Nesting: sdk.NestingList,
					Description: "A foreign key: rows of this table whose column holds the value of a found row's column.",
					Schema: sdk.Schema{Attributes: []sdk.Attribute{
						{Name: referenceColumn, Type: sdk.TypeString, Required: true,
							Description: "This table's column holding the key."},
						{Name: referenceReferences, Type: sdk.TypeString, Required: true,
							Description: `The referenced table and column, "table.column".`},
					}},
				}},
			},
		}},
	}
}
