CREATE TABLE `link_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_hash` text NOT NULL,
	`person_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `link_codes_hash` ON `link_codes` (`code_hash`);--> statement-breakpoint
CREATE TABLE `link_failures` (
	`channel` text NOT NULL,
	`address` text NOT NULL,
	`count` integer NOT NULL,
	`window_started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `link_failures_pk` ON `link_failures` (`channel`,`address`);--> statement-breakpoint
CREATE TABLE `people` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ref` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`unit_id` integer NOT NULL,
	`phone` text,
	`email` text,
	`user_id` integer,
	`linked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `people_ref` ON `people` (`ref`);--> statement-breakpoint
CREATE INDEX `people_unit_role` ON `people` (`unit_id`,`role`);--> statement-breakpoint
CREATE UNIQUE INDEX `people_user` ON `people` (`user_id`);--> statement-breakpoint
CREATE TABLE `reminder_snoozes` (
	`task_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`until` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_snoozes_pk` ON `reminder_snoozes` (`task_id`,`unit_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `reminders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`person_id` integer NOT NULL,
	`step` text NOT NULL,
	`schools` text,
	`scheduled_for` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`person_id`) REFERENCES `people`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_key` ON `reminders` (`task_id`,`unit_id`,`person_id`,`step`);--> statement-breakpoint
CREATE TABLE `school_years` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`starts_on` text NOT NULL,
	`ends_on` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `school_years_name` ON `school_years` (`name`);--> statement-breakpoint
CREATE TABLE `task_status_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`task_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`status` text NOT NULL,
	`changed_by` text NOT NULL,
	`note` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `task_status_history_task_unit` ON `task_status_history` (`task_id`,`unit_id`);--> statement-breakpoint
CREATE TABLE `task_statuses` (
	`task_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`status` text NOT NULL,
	`changed_by` text NOT NULL,
	`changed_at` integer NOT NULL,
	`note` text,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_statuses_pk` ON `task_statuses` (`task_id`,`unit_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`year_id` integer NOT NULL,
	`key` text NOT NULL,
	`section` text,
	`title_vi` text NOT NULL,
	`title_en` text NOT NULL,
	`instructions_vi` text NOT NULL,
	`instructions_en` text NOT NULL,
	`applies_types` text NOT NULL,
	`applies_levels` text,
	`due_on` text,
	`due_note_vi` text,
	`due_note_en` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`year_id`) REFERENCES `school_years`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tasks_year_key` ON `tasks` (`year_id`,`key`);--> statement-breakpoint
CREATE INDEX `tasks_due` ON `tasks` (`due_on`);