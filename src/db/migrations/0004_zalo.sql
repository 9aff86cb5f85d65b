CREATE TABLE `seen_events` (
	`key` text NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seen_events_key` ON `seen_events` (`key`);--> statement-breakpoint
CREATE INDEX `seen_events_at` ON `seen_events` (`seen_at`);--> statement-breakpoint
CREATE TABLE `zalo_tokens` (
	`id` integer PRIMARY KEY NOT NULL,
	`access_token` text NOT NULL,
	`refresh_token` text NOT NULL,
	`expires_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
