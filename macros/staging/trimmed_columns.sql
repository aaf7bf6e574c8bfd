{#- Every contract column of a raw entity read as the contract says: trimmed, and an empty
    string is a null. Emits a select list. -#}
{% macro trimmed_columns(entity, relation_alias) -%}
    {{ return(adapter.dispatch('trimmed_columns', 'personas')(entity, relation_alias)) }}
{%- endmacro %}

{% macro default__trimmed_columns(entity, relation_alias) -%}
    {%- for column in personas.raw_contract(entity)['columns'] %}
    nullif(trim({{ relation_alias }}.{{ column }}), '') as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- DuckDB: trim() copies every value; most raw values have no space to remove, so trim only
    those that start or end with one (the same result: DuckDB's trim removes spaces only), at
    a fraction of the cost of trimming every value (measured: docs/benchmarks.md, "What changed,
    run by run (1M profiles)"). -#}
{% macro duckdb__trimmed_columns(entity, relation_alias) -%}
    {%- for column in personas.raw_contract(entity)['columns'] %}
    {{ personas.duckdb_trimmed_text(relation_alias ~ '.' ~ column) }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- DuckDB: one raw value trimmed, and '' as null; trim() runs only on a value with a space at
    an end. Shared by duckdb__trimmed_columns and duckdb__raw_merge_key. -#}
{% macro duckdb_trimmed_text(value) -%}
nullif(
        case when starts_with({{ value }}, ' ') or ends_with({{ value }}, ' ') then trim({{ value }}) else {{ value }} end,
        ''
    )
{%- endmacro %}
