CREATE TABLE "creator_interactions" (
	"person_a" uuid NOT NULL,
	"person_b" uuid NOT NULL,
	"messages" integer DEFAULT 0 NOT NULL,
	"gifts" integer DEFAULT 0 NOT NULL,
	"gift_coins" bigint DEFAULT 0 NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"call_seconds" bigint DEFAULT 0 NOT NULL,
	"call_coins" bigint DEFAULT 0 NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_interactions_person_a_person_b_pk" PRIMARY KEY("person_a","person_b"),
	CONSTRAINT "creator_interactions_ordered" CHECK ("creator_interactions"."person_a" < "creator_interactions"."person_b")
);
--> statement-breakpoint
CREATE INDEX "creator_interactions_b_idx" ON "creator_interactions" USING btree ("person_b");