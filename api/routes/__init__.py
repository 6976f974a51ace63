"""The API's routes, one module per resource; `api.main` mounts each module's `router` under `/api`."""
