CREATE TABLE `knowledge_versions` (
	`version` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`kind` text NOT NULL,
	`change` text NOT NULL,
	`summary` text NOT NULL,
	`note` text,
	`reverts` integer,
	`reverted_at` integer,
	`reverted_by` integer
);
