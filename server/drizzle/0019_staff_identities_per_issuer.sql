DROP INDEX "staff_identities_staff_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "staff_identities_staff_issuer_key" ON "staff_identities" USING btree ("staff_id","issuer");