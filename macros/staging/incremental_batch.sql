{#- The raw rows an incremental run of a base_<entity>_rows model re-derives, as a CTE named
    `batch` over the CTE `relation` (raw rows, untrimmed; its name is the entity's). A full
    build takes every row. An incremental run takes every row of every key that has a row on
    or after the cutoff day (the latest day already loaded minus var
    incremental_lookback_days), or a row whose timestamp is missing or not shaped like the
    contract's (it cannot be placed in time): all rows of those keys, old ones too, so exact
    duplicates and conflicting versions are classified as a full build would. A well-formed
    timestamp sorts as text in time order, so the cutoff is a text comparison. Keys are
    compared as the trimmed id, or '' for a missing one (as the table stores its key column).
    DuckDB and PostgreSQL replace those keys (delete+insert on the key column); Spark replaces
    whole partitions, so its batch is larger (spark__incremental_batch below).
    Assumes raw data is appended to: a row that arrives later with a day before the cutoff
    needs a --full-refresh (docs/decisions.md). -#}
{% macro incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
    {{ return(adapter.dispatch('incremental_batch', 'personas')(relation, key_column, timestamp_column, parsed_timestamp_column)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: one read of the raw input. The new rows come from it; the old rows
    of their keys come from this table, which holds every row a previous run read, as its
    trimmed text (personas.stored_as_raw_columns). Under the append-only assumption above, a
    key's raw rows that are not new are exactly its stored rows that are not new, "new"
    judged on the same trimmed timestamp text on both sides (personas.incremental_new_row).
    Reading the old rows from the raw input instead took a second full read of it, which cost
    more than reading this table's rows of the keys, which the comparison reads anyway
    (docs/benchmarks.md, "2026-12-07, ninth session").
    Also defines `stored_rows_of_batch_keys`, this table's rows of the batch's keys, which
    personas.rows_of_changed_keys compares the re-derived rows with. -#}
{% macro default__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- if is_incremental() %}
{%- set cutoff_day = personas.incremental_cutoff_day(parsed_timestamp_column) %}
-- The new rows, read once from the raw input: judged on the trimmed timestamp text, as the
-- stored rows are below (personas.incremental_new_raw_row).
new_rows as {{ personas.materialized() }} (
    select {{ relation }}.*
    from {{ relation }}
    where {{ personas.incremental_new_raw_row(relation ~ '.' ~ timestamp_column, cutoff_day) }}
),

changed_keys as (
    select distinct {{ personas.raw_merge_key('new_rows', key_column) }} as merge_key
    from new_rows
),

-- Every row this table holds for those keys: the old rows of the batch come from here, and
-- rows_of_changed_keys compares the re-derived rows with them.
stored_rows_of_batch_keys as {{ personas.materialized() }} (
    select this_table.*
    from {{ this }} as this_table
    where this_table.{{ key_column }} in (select changed_keys.merge_key from changed_keys)
),

batch as (
    select new_rows.*
    from new_rows
    union all
    select {{ personas.stored_as_raw_columns(relation, 'stored', key_column, timestamp_column, parsed_timestamp_column) }}
    from stored_rows_of_batch_keys as stored
    where not {{ personas.incremental_new_row(
        personas.restored_timestamp_text('stored.' ~ timestamp_column ~ '_text', 'stored.' ~ parsed_timestamp_column),
        cutoff_day
    ) }}
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}

{#- The contract columns of `entity` from a row of its base_<entity>_rows table (alias
    `relation_alias`), as the trimmed text they were read from, in contract order: the key
    back to null where stored as '', the timestamp text restored from its parsed value
    (personas.restored_timestamp_text). Trimming them again gives them back unchanged. -#}
{% macro stored_as_raw_columns(entity, relation_alias, key_column, timestamp_column, parsed_timestamp_column) -%}
{{ personas.contract_columns(entity, relation_alias, overrides={
    key_column: "nullif(" ~ relation_alias ~ "." ~ key_column ~ ", '')",
    timestamp_column: personas.restored_timestamp_text(relation_alias ~ '.' ~ timestamp_column ~ '_text', relation_alias ~ '.' ~ parsed_timestamp_column),
}) }}
{%- endmacro %}

{#- True for a row that an incremental run re-derives by itself, from its trimmed timestamp
    text (null when missing): on or after the cutoff day, or missing, or not shaped like the
    contract's, so that it cannot be placed in time. Never null. -#}
{% macro incremental_new_row(trimmed_timestamp, cutoff_day) -%}
(
    {{ trimmed_timestamp }} is null
    or {{ trimmed_timestamp }} >= '{{ cutoff_day }}'
    or {{ trimmed_timestamp }} not like '____-__-__ __:__:__%'
)
{%- endmacro %}

{#- The key of a raw row, from its untrimmed key column: the trimmed id, or '' when it is
    missing or empty (as the base_<entity>_rows models store their key column). -#}
{% macro raw_merge_key(relation, key_column) -%}
coalesce({{ personas.trimmed_text(relation ~ '.' ~ key_column) }}, '')
{%- endmacro %}

{#- personas.incremental_new_row for a raw row, from its untrimmed timestamp text: the same
    verdict as on the trimmed text, never null. A value with a space at an end is trimmed
    first (personas.trimmed_text); the others, nearly all, are their own trimmed text and are
    judged as they are, so DuckDB evaluates a plain comparison in its scan of the raw input and
    trims only the few values that need it. (The rule on trimmed_text of every value, which
    DuckDB also moves into the scan, cost that scan twice as much; measured: docs/benchmarks.md,
    "2026-12-07, tenth session".) -#}
{% macro incremental_new_raw_row(timestamp_column, cutoff_day) -%}
(
    case
        when {{ personas.has_space_at_an_end(timestamp_column) }}
            then {{ personas.incremental_new_row(personas.trimmed_text(timestamp_column), cutoff_day) }}
        else {{ personas.incremental_new_row(timestamp_column, cutoff_day) }}
    end
)
{%- endmacro %}

{#- The CTE `changed_keys` of an incremental run: in column merge_key, the key (as
    raw_merge_key) of every key with a raw row on or after the cutoff day, or one that cannot
    be placed in time, judged on its trimmed text (Spark's incremental_batch). The cutoff
    is read from the table before the model's query is built (personas.incremental_cutoff_day)
    and written in as a literal: one scan of the raw input with a plain filter, where a
    subquery made DuckDB compare every raw row in a nested-loop join. -#}
{% macro incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- set cutoff_day = personas.incremental_cutoff_day(parsed_timestamp_column) -%}
changed_keys as (
    select distinct {{ key_text }} as merge_key
    from {{ relation }}
    where {{ personas.incremental_new_raw_row(relation ~ '.' ~ timestamp_column, cutoff_day) }}
)
{%- endmacro %}

{#- Spark: insert_overwrite replaces whole partitions (key_first_day), so the batch is every raw
    row of every key that lives in a partition being rewritten. -#}
{% macro spark__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- set timestamp_text = "trim(" ~ relation ~ "." ~ timestamp_column ~ ")" -%}
{%- if is_incremental() %}
{{ personas.incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) }},

-- The first day of each changed key, from all its raw rows (as the model computes it).
changed_key_days as (
    select
        changed_keys.merge_key,
        {{ personas.key_first_day(timestamp_text) }} as key_first_day
    from {{ relation }}
    inner join changed_keys
        on {{ key_text }} = changed_keys.merge_key
    group by changed_keys.merge_key
),

-- The partitions to rewrite: where the changed keys go (a new key, a late duplicate of an
-- old event) and where they are now (a key that moves to an earlier day or to 'unplaced'
-- leaves its old partition, which must be rewritten without it).
rewritten_days as (
    select key_first_day from changed_key_days
    union
    select this_table.key_first_day
    from {{ this }} as this_table
    inner join changed_keys
        on this_table.{{ key_column }} = changed_keys.merge_key
),

-- Every key of those partitions: an overwritten partition keeps only what the batch writes.
rewritten_keys as (
    select merge_key from changed_keys
    union
    select this_table.{{ key_column }} as merge_key
    from {{ this }} as this_table
    inner join rewritten_days
        on this_table.key_first_day = rewritten_days.key_first_day
),

batch as (
    select {{ relation }}.*
    from {{ relation }}
    inner join rewritten_keys
        on {{ key_text }} = rewritten_keys.merge_key
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}
