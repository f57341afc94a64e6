-- 0012: a placeholder keeping the numbering level on the reach branch.
-- Number 0012 is reserved for another branch's migration: delete this file
-- when that one is merged.
SELECT 1;
