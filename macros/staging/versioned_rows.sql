{#- Classifies repeated raw rows (contract, "Bad input") and emits the CTEs that do it, ending
    with `versioned`: every row of `relation` plus
      copy_number      1 for the first of a set of exactly equal rows (all contract columns,
                       after trimming), 2.. for the copies, which are collapsed and counted;
      versions_of_key  how many different rows share the key (> 1 is a conflict);
      key_first_day    only with `placed_by` (the trimmed timestamp column): the key's
                       first day, personas.key_first_day (the Spark partition of its rows).
    Most keys occur once: a cheap group-by on a fingerprint of the key finds the few that
    repeat (or are null), and only their rows go through the two window functions, which
    would otherwise sort every row of a large entity by every column (scale: docs/benchmarks.md,
    "Figures moved from code comments (2026-12-06)"). The rows are read twice (the
    repeated keys, then the rows) rather than copied (personas.not_materialized); the exact
    comparison reads them a third time only when some key repeats or is missing (measured:
    docs/benchmarks.md, "2026-12-07, seventh session"). Give it the trimmed text, and parse
    after it, so that parsing runs once per row. Call it after a CTE named `relation`,
    followed by a comma. -#}
{% macro versioned_rows(relation, entity, key_columns, placed_by=none) -%}
    {{ return(adapter.dispatch('versioned_rows', 'personas')(relation, entity, key_columns, placed_by)) }}
{%- endmacro %}

{% macro default__versioned_rows(relation, entity, key_columns, placed_by) -%}
{%- set all_columns = personas.raw_contract(entity)['columns'] | join(', ') -%}
{%- set keys = key_columns | join(', ') -%}
-- The fingerprints of the keys that need the exact comparison: those that occur more than
-- once, and the missing keys (a missing key part is '' in its fingerprint).
repeated_keys as (
    select
        {{ personas.key_fingerprint(key_columns) }} as key_fingerprint
    from {{ relation }}
    group by {{ personas.key_fingerprint(key_columns) }}
    having
        count(*) > 1
        or max(case when {% for key in key_columns %}{{ key }} is null{{ ' or ' if not loop.last }}{% endfor %} then 1 else 0 end) = 1
),

-- An inner join: on clean data repeated_keys is empty, and DuckDB then stops reading the
-- relation at its first rows (no third pass over the raw rows).
numbered_repeats as (
    select
        {{ relation }}.*,
        1 as has_repeated_key,
        row_number() over (
            partition by {{ all_columns }}
            order by {{ keys }}
        ) as copy_number
    from {{ relation }}
    inner join repeated_keys
        on {{ personas.key_fingerprint(key_columns, relation) }} = repeated_keys.key_fingerprint
),

versioned as (
    select
        numbered_repeats.*,
        cast(
            sum(case when copy_number = 1 then 1 else 0 end) over (partition by {{ keys }})
            as {{ dbt.type_bigint() }}
        ) as versions_of_key
        {%- if placed_by %},
        {{ personas.key_first_day(placed_by, 'over (partition by ' ~ keys ~ ')') }} as key_first_day
        {%- endif %}
    from numbered_repeats
    union all
    select
        {{ relation }}.*,
        0 as has_repeated_key,
        cast(1 as {{ dbt.type_bigint() }}) as copy_number,
        cast(1 as {{ dbt.type_bigint() }}) as versions_of_key
        {%- if placed_by %},
        coalesce({{ personas.timestamp_day(placed_by) }}, 'unplaced') as key_first_day
        {%- endif %}
    from {{ relation }}
    left join repeated_keys
        on {{ personas.key_fingerprint(key_columns, relation) }} = repeated_keys.key_fingerprint
    where repeated_keys.key_fingerprint is null
)
{%- endmacro %}
