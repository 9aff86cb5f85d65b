CREATE TABLE `channel_addresses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`last_inbound_at` integer NOT NULL,
	`unreachable_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `channel_addresses_channel_address` ON `channel_addresses` (`channel`,`address`);--> statement-breakpoint
CREATE INDEX `channel_addresses_user` ON `channel_addresses` (`user_id`);--> statement-breakpoint
CREATE TABLE `conversation_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`channel` text NOT NULL,
	`direction` text NOT NULL,
	`text` text,
	`intent` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversation_log_user_at` ON `conversation_log` (`user_id`,`at`);--> statement-breakpoint
CREATE INDEX `conversation_log_at` ON `conversation_log` (`at`);--> statement-breakpoint
CREATE TABLE `handoffs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`channel` text NOT NULL,
	`locale` text NOT NULL,
	`question` text,
	`transcript` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `handoffs_status` ON `handoffs` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `unanswered` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`normalized_text` text NOT NULL,
	`locale` text NOT NULL,
	`count` integer DEFAULT 1 NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `unanswered_text` ON `unanswered` (`normalized_text`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`role` text DEFAULT 'subscriber' NOT NULL,
	`locale` text,
	`locale_chosen` integer DEFAULT false NOT NULL,
	`subscribed` integer DEFAULT false NOT NULL,
	`subscribed_at` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL
);
