{#- The raw rows an incremental run of a base_<entity>_rows model re-derives, as a CTE named
    `batch` over the CTE `relation` (raw rows, untrimmed). A full build takes every row. An
    incremental run takes every row of every key that has a row on or after the cutoff day
    (the latest day already loaded minus var incremental_lookback_days), or a row whose
    timestamp is missing or not shaped like the contract's (it cannot be placed in time):
    all rows of those keys, old ones too, so exact duplicates and conflicting versions are
    classified as a full build would. A well-formed timestamp sorts as text in time order,
    so the cutoff is a text comparison and only the key and timestamp are trimmed to find
    the batch. Keys are compared as the trimmed id, or '' for a missing one (as the table
    stores its key column). DuckDB and PostgreSQL replace those keys (delete+insert on the
    key column); Spark replaces whole partitions, so its batch is larger
    (spark__incremental_batch below).
    Assumes raw data is appended to: a row that arrives later with a day before the cutoff
    needs a --full-refresh (docs/decisions.md). -#}
{% macro incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
    {{ return(adapter.dispatch('incremental_batch', 'personas')(relation, key_column, timestamp_column, parsed_timestamp_column)) }}
{%- endmacro %}

{#- DuckDB and PostgreSQL: the changed keys, then every raw row of them (old rows too), read
    from the raw input again. (Taking the old rows from this table instead, which holds them
    as trimmed text, was faster alone but slower in a real run, where two models scan their
    tables at once. Measured: docs/benchmarks.md, "What changed, run by run (1M profiles)".) -#}
{% macro default__incremental_batch(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- if is_incremental() %}
{{ personas.incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) }},

-- Materialized (a hint where the engine has one): the batch is small, and the trimming,
-- duplicate and parsing steps after it read it three times.
batch as {{ personas.materialized() }} (
    select {{ relation }}.*
    from {{ relation }}
    inner join changed_keys
        on {{ key_text }} = changed_keys.merge_key
)
{%- else %}
batch as (
    select * from {{ relation }}
)
{%- endif %}
{%- endmacro %}

{#- The key of a raw row, from its untrimmed key column: the trimmed id, or '' when it is
    missing or empty (as the base_<entity>_rows models store their key column). -#}
{% macro raw_merge_key(relation, key_column) -%}
    {{ return(adapter.dispatch('raw_merge_key', 'personas')(relation, key_column)) }}
{%- endmacro %}

{% macro default__raw_merge_key(relation, key_column) -%}
coalesce(nullif(trim({{ relation }}.{{ key_column }}), ''), '')
{%- endmacro %}

{#- DuckDB: trimmed only when it starts or ends with a space, as in duckdb__trimmed_columns (the
    same value: DuckDB's trim removes spaces only). The join of an incremental batch computes
    it for every raw row, and trimming only the few ids with a space at an end is much cheaper
    than trim() on every id (measured: docs/benchmarks.md, "2026-12-02: a slower machine, and
    what each change is worth alone"). -#}
{% macro duckdb__raw_merge_key(relation, key_column) -%}
coalesce({{ personas.duckdb_trimmed_text(relation ~ '.' ~ key_column) }}, '')
{%- endmacro %}

{#- True for a raw row that an incremental run re-derives by itself: its timestamp text
    (trimmed) is on or after the cutoff day, or it is missing or not shaped like the
    contract's, so that it cannot be placed in time. Never null. Written on the untrimmed text
    as a plain disjunction, which DuckDB pushes into the scan of the raw file, and which takes
    a few rows more, never fewer (a key taken for nothing is re-derived to the same rows):
    a value with a space at an end is always taken, and the others are their own trimmed
    text. (A case expression that trimmed such values first cost much more, and could not be
    pushed into the scan; measured: docs/benchmarks.md, "2026-12-02: a slower machine, and what
    each change is worth alone".) -#}
{% macro incremental_recent_row(timestamp_column, cutoff_day) -%}
(
    {{ timestamp_column }} is null
    or {{ timestamp_column }} >= '{{ cutoff_day }}'
    or {{ timestamp_column }} not like '____-__-__ __:__:__%'
    or left({{ timestamp_column }}, 1) = ' '
    or right({{ timestamp_column }}, 1) = ' '
)
{%- endmacro %}

{#- The CTE `changed_keys` of an incremental run: in column merge_key, the key (as
    raw_merge_key) of every key with a raw row on or after the cutoff day, or one that cannot
    be placed in time. Shared by every engine's incremental_batch. The cutoff is read from
    the table before the model's query is built (personas.incremental_cutoff_day) and written
    in as a literal: one scan of the raw input with a plain filter, where a subquery made
    DuckDB compare every raw row in a nested-loop join. -#}
{% macro incremental_changed_keys(relation, key_column, timestamp_column, parsed_timestamp_column) -%}
{%- set key_text = personas.raw_merge_key(relation, key_column) -%}
{%- set cutoff_day = personas.incremental_cutoff_day(parsed_timestamp_column) -%}
changed_keys as (
    select distinct {{ key_text }} as merge_key
    from {{ relation }}
    where {{ personas.incremental_recent_row(relation ~ '.' ~ timestamp_column, cutoff_day) }}
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
