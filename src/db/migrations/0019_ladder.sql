CREATE TABLE `email_unsubscribes` (
	`address` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `zns_usage` (
	`month` text PRIMARY KEY NOT NULL,
	`sent` integer DEFAULT 0 NOT NULL,
	`alerted_at` integer
);
--> statement-breakpoint
ALTER TABLE `people` ADD `reach_off` text;