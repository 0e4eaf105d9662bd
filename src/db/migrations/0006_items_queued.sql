ALTER TABLE `items` ADD `queued` integer DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE `items` SET `queued` = 1 WHERE `id` IN (SELECT `item_id` FROM `queue_slots`);--> statement-breakpoint
CREATE INDEX `items_project_unqueued_idx` ON `items` (`project_id`,`rand`,`id`) WHERE "items"."queued" = 0 AND "items"."split" IN ('pool', 'eval');--> statement-breakpoint
CREATE INDEX `annotations_annotator_idx` ON `annotations` (`annotator_id`,`project_id`);
