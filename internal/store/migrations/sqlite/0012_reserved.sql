-- 0012: a placeholder keeping the numbering level on the console branch.
-- Number 0012 is reserved for another branch's migration: delete this file
-- when that one is merged.
SELECT 1;
