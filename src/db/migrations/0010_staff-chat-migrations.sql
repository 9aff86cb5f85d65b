CREATE TABLE `chat_migrations` (
	`channel` text NOT NULL,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`migrated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_migrations_from` ON `chat_migrations` (`channel`,`from_address`);