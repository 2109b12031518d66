select asset, check_name, passed, severity, blocking, description, checked_at
from quality.check_results
order by passed, asset, check_name
