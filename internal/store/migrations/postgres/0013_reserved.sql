-- 0013: a placeholder keeping the numbering level on the reach branch.
-- Number 0013 is reserved for another branch's migration: delete this file
-- when that one is merged.
SELECT 1;
