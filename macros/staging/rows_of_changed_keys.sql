{#- The end of an incremental base_<entity>_rows model, after its last CTE `relation` (the
    re-derived rows of the batch, with loaded_at) and no comma. A full build selects every row. An
    incremental run on DuckDB or PostgreSQL selects only the rows of the keys whose re-derived
    rows differ from the rows this table holds for that key (any column but loaded_at, as a
    multiset: a row added, gone or changed): delete+insert then replaces those keys and leaves
    the others as they are, with the loaded_at of the run that last changed them.
    Most keys of a batch are re-derived to the same rows (every day re-checks the last loaded
    day, var incremental_lookback_days, and the rows that cannot be placed in time), so a day
    deletes only what changed. A delete is what costs on DuckDB: it keeps version information
    for every vector of the table that lost a row until a checkpoint, and the re-checked keys
    are spread over the whole table after a full build (docs/benchmarks.md, "2026-12-06, sixth
    session"). Readers that follow loaded_at (int_email_activity_daily) then re-aggregate only
    what changed too.
    Spark: insert_overwrite rewrites whole partitions, which must hold every row of the
    partition: its batch is written whole.
    The columns compared: personas.incremental_compared_columns (below). stored_rows: a CTE
    already holding this table's rows of the batch's keys, read instead of this table
    (personas.incremental_batch defines one, stored_rows_of_batch_keys, on DuckDB and
    PostgreSQL, the engines this comparison runs on). -#}
{% macro rows_of_changed_keys(relation, key_columns, stored_rows=none) -%}
{%- if is_incremental() and target.type != 'spark' and execute -%}
{%- set column_list = personas.incremental_compared_columns() | join(', ') -%}
{%- set keys = key_columns | join(', ') %},

-- The batch's rows, computed once: read four times below.
rederived_rows as {{ personas.materialized() }} (
    select * from {{ relation }}
),

-- The rows this table holds for the keys of the batch.
stored_rows as {{ personas.materialized() }} (
    select {{ column_list }}
    {%- if stored_rows %}
    from {{ stored_rows }}
    {%- else %}
    from {{ this }}
    where ({{ keys }}) in (select {{ keys }} from rederived_rows)
    {%- endif %}
),

-- Keys with a row the table does not hold, or holding a row the batch does not re-derive.
keys_to_write as (
    select {{ keys }}
    from (
        select {{ column_list }} from rederived_rows
        except all
        select {{ column_list }} from stored_rows
    ) as added_rows
    union
    select {{ keys }}
    from (
        select {{ column_list }} from stored_rows
        except all
        select {{ column_list }} from rederived_rows
    ) as removed_rows
)

select rederived_rows.*
from rederived_rows
where ({{ keys }}) in (select {{ keys }} from keys_to_write)
{%- else %}
select * from {{ relation }}
{%- endif %}
{%- endmacro %}

{#- The columns of this model's table but loaded_at, quoted, read from the warehouse when an
    incremental run builds its query (on_schema_change 'fail' keeps them equal to the model's);
    a unit test gives them as an override. -#}
{% macro incremental_compared_columns() -%}
{%- set columns = [] -%}
{%- for column in adapter.get_columns_in_relation(this) if column.name | lower != 'loaded_at' -%}
    {%- do columns.append(adapter.quote(column.name)) -%}
{%- endfor -%}
{{ return(columns) }}
{%- endmacro %}
