CREATE TABLE `planned_steps` (
	`task_id` integer NOT NULL,
	`step` text NOT NULL,
	`planned_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `planned_steps_pk` ON `planned_steps` (`task_id`,`step`);