CREATE TABLE "question_complaints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"question_id" uuid NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"answer" text,
	"answered_by_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "question_complaints" ADD CONSTRAINT "question_complaints_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_complaints" ADD CONSTRAINT "question_complaints_answered_by_id_users_id_fk" FOREIGN KEY ("answered_by_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "question_complaints_status_idx" ON "question_complaints" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "question_complaints_question_idx" ON "question_complaints" USING btree ("question_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "question_complaints_open_unique" ON "question_complaints" USING btree ("question_id") WHERE "question_complaints"."status" = 'open';