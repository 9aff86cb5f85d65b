ALTER TABLE "handoff_messages" ADD COLUMN "delivered_via" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "person_id" integer;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "reach_order" text;