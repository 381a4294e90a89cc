CREATE TABLE "creator_greetings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"streamer_id" uuid NOT NULL,
	"text" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "creator_greetings_streamer_idx" ON "creator_greetings" USING btree ("streamer_id","created_at");