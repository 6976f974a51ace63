"""An INSERT that updates the row already there (`ON CONFLICT … DO UPDATE`), in the session's dialect."""

from typing import Any, TypeVar, cast

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


async def upsert(
    session: AsyncSession, table: type[Row], values: dict[str, Any], keys: list[str], changes: list[str]
) -> Row:
    """The row of `table` with `values`, inserted, or, when one with the same `keys` (a unique
    constraint's columns) is there, that row with its `changes` columns set to `values`'. One
    statement: two writers at once both succeed, the later one's values kept, where a read then
    an insert makes one of them fail. Does not commit."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={column: statement.excluded[column] for column in changes}
    )
    # The row as written, even if this session holds an older copy of it.
    found = await session.exec(statement.returning(table), execution_options={"populate_existing": True})
    return cast(Row, found.scalars().one())
