CREATE TABLE "email_unsubscribes" (
	"address" text PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "zns_usage" (
	"month" text PRIMARY KEY NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"alerted_at" bigint
);
--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "reach_off" text;