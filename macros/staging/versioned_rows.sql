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
    repeated keys, then the rows) rather than copied (personas.not_materialized): give it the
    trimmed text, and parse after it, so that parsing runs once per row. Call it after a CTE
    named `relation`, followed by a comma. -#}
{% macro versioned_rows(relation, entity, key_columns, placed_by=none) -%}
    {{ return(adapter.dispatch('versioned_rows', 'personas')(relation, entity, key_columns, placed_by)) }}
{%- endmacro %}

{% macro default__versioned_rows(relation, entity, key_columns, placed_by) -%}
{%- set all_columns = personas.raw_contract(entity)['columns'] | join(', ') -%}
{%- set keys = key_columns | join(', ') -%}
repeated_keys as (
    select
        {{ personas.key_fingerprint(key_columns) }} as key_fingerprint,
        1 as is_repeated
    from {{ relation }}
    where
        {%- for key in key_columns %}
        {{ key }} is not null{{ ' and' if not loop.last }}
        {%- endfor %}
    group by {{ personas.key_fingerprint(key_columns) }}
    having count(*) > 1
),

rows_with_repetition as {{ personas.not_materialized() }} (
    select
        {{ relation }}.*,
        case
            when repeated_keys.is_repeated = 1 then 1
            {%- for key in key_columns %}
            when {{ relation }}.{{ key }} is null then 1
            {%- endfor %}
            else 0
        end as has_repeated_key
    from {{ relation }}
    left join repeated_keys
        on {{ personas.key_fingerprint(key_columns, relation) }} = repeated_keys.key_fingerprint
),

numbered_repeats as (
    select
        rows_with_repetition.*,
        row_number() over (
            partition by {{ all_columns }}
            order by {{ keys }}
        ) as copy_number
    from rows_with_repetition
    where has_repeated_key = 1
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
        rows_with_repetition.*,
        cast(1 as {{ dbt.type_bigint() }}) as copy_number,
        cast(1 as {{ dbt.type_bigint() }}) as versions_of_key
        {%- if placed_by %},
        coalesce({{ personas.timestamp_day(placed_by) }}, 'unplaced') as key_first_day
        {%- endif %}
    from rows_with_repetition
    where has_repeated_key = 0
)
{%- endmacro %}
