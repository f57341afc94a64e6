-- 0006_verification: placeholder, filled in by its feature.
SELECT 1;
