CREATE TABLE "creator_blocks" (
	"blocker_id" uuid NOT NULL,
	"blocked_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_blocks_blocker_id_blocked_id_pk" PRIMARY KEY("blocker_id","blocked_id")
);
--> statement-breakpoint
CREATE TABLE "creator_favorites" (
	"person_id" uuid NOT NULL,
	"target_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_favorites_person_id_target_id_pk" PRIMARY KEY("person_id","target_id")
);
--> statement-breakpoint
CREATE TABLE "creator_penalty_firings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"rule_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"blockers" integer NOT NULL,
	"fired_at" timestamp with time zone NOT NULL,
	"lifted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator_penalty_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"target_role" text NOT NULL,
	"blocker_role" text NOT NULL,
	"threshold" integer NOT NULL,
	"window_days" integer NOT NULL,
	"action" text NOT NULL,
	"block_reason" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "creator_blocks_blocked_idx" ON "creator_blocks" USING btree ("blocked_id","reason","created_at");--> statement-breakpoint
CREATE INDEX "creator_favorites_target_idx" ON "creator_favorites" USING btree ("target_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_penalty_firings_open_key" ON "creator_penalty_firings" USING btree ("rule_id","person_id") WHERE "creator_penalty_firings"."lifted_at" IS NULL;