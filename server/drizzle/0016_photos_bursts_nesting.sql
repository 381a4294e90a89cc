CREATE TABLE "creator_galleries" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"cover_file_id" uuid,
	"profile_file_id" uuid,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "event_log" ADD COLUMN "parent_id" bigint;--> statement-breakpoint
ALTER TABLE "creator_gift_sends" ADD COLUMN "burst_event_id" bigint;--> statement-breakpoint
ALTER TABLE "creator_gifts" ADD COLUMN "image_file_id" uuid;--> statement-breakpoint
CREATE INDEX "event_log_parent_idx" ON "event_log" USING btree ("parent_id","id") WHERE "event_log"."parent_id" IS NOT NULL;