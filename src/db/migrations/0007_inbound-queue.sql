CREATE TABLE `inbound_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`sender` text NOT NULL,
	`payload` text NOT NULL,
	`received_at` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`handled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_events_dedupe` ON `inbound_events` (`channel`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `inbound_events_state` ON `inbound_events` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `inbound_events_handled` ON `inbound_events` (`handled_at`);