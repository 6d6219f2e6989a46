-- Items get a short label (for charts, tables and summaries) and their response labels
-- ("anchors": agreement, satisfaction, ...), which both audiences of a mirrored item see.
-- SLA metrics get an optional label to show instead of the metric code.
--
-- The default only carries the existing rows until the backfill below, and is then dropped.
ALTER TABLE items ADD COLUMN label TEXT NOT NULL DEFAULT '';
-- NULL: the scale's default (domain::Anchors::default_for), as items stored before this
-- migration were shown.
ALTER TABLE items ADD COLUMN anchors TEXT;

-- The label of a stored item, derived from its customer wording as
-- domain::label_from_wording does: the wording when it fits in 60 characters, otherwise its
-- first 61 characters cut back to the last space (rtrim by the set of every non-space
-- character of that prefix removes the partial last word), then no trailing punctuation.
UPDATE items SET label = CASE
    WHEN length(trim(customer_wording)) <= 60
        THEN rtrim(trim(customer_wording), ' .,;:!?-–—(/')
    ELSE rtrim(
        rtrim(
            substr(trim(customer_wording), 1, 61),
            replace(substr(trim(customer_wording), 1, 61), ' ', '')
        ),
        ' .,;:!?-–—(/'
    )
END;
-- A first word longer than 60 characters: cut at 60.
UPDATE items SET label = rtrim(substr(trim(customer_wording), 1, 60), ' .,;:!?-–—(/')
WHERE label = '';
-- Nothing left of the wording: the item code.
UPDATE items SET label = code WHERE label = '';
ALTER TABLE items ALTER COLUMN label DROP DEFAULT;

ALTER TABLE sla_metrics ADD COLUMN label TEXT;
