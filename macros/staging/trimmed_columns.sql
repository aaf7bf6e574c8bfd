{#- Every contract column of a raw entity read as the contract says: trimmed, and an empty
    string is a null (personas.trimmed_text). Emits a select list. -#}
{% macro trimmed_columns(entity, relation_alias) -%}
    {%- for column in personas.raw_contract(entity)['columns'] %}
    {{ personas.trimmed_text(relation_alias ~ '.' ~ column) }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- One raw text value as the contract reads it: trimmed, and '' as null. The one place the
    rule is written: trimmed_columns, raw_merge_key and the incremental batch call it. -#}
{% macro trimmed_text(value) -%}
    {{ return(adapter.dispatch('trimmed_text', 'personas')(value)) }}
{%- endmacro %}

{% macro default__trimmed_text(value) -%}
nullif(trim({{ value }}), '')
{%- endmacro %}

{#- DuckDB: trim() copies every value; most raw values have no space to remove, so trim only
    those that start or end with one (the same result: DuckDB's trim removes spaces only), at
    a fraction of the cost of trimming every value (measured: docs/benchmarks.md, "What changed,
    run by run (1M profiles)"). -#}
{% macro duckdb__trimmed_text(value) -%}
nullif(
        case when {{ personas.has_space_at_an_end(value) }} then trim({{ value }}) else {{ value }} end,
        ''
    )
{%- endmacro %}

{#- True when a raw text value starts or ends with a space: exactly the values that trimming
    changes (trim removes spaces only, on every engine). The one place that test is written:
    duckdb__trimmed_text and personas.incremental_new_raw_row call it. LIKE is portable and
    as cheap in DuckDB as starts_with/ends_with (docs/benchmarks.md, "2026-12-07, tenth
    session"). -#}
{% macro has_space_at_an_end(value) -%}
({{ value }} like ' %' or {{ value }} like '% ')
{%- endmacro %}
