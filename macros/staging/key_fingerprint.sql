{#- A cheap stand-in for a key, to find the keys that occur more than once: equal keys have
    equal fingerprints; two keys may (rarely) share one, which only sends a few more rows
    through the exact comparison in versioned_rows, never changes its result. -#}
{% macro key_fingerprint(columns, relation=none) -%}
    {{ return(adapter.dispatch('key_fingerprint', 'personas')(columns, relation)) }}
{%- endmacro %}

{#- Default: the key itself (one column) or its parts joined with a separator. -#}
{% macro default__key_fingerprint(columns, relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- if columns | length == 1 -%}
        {{ prefix }}{{ columns[0] }}
    {%- else -%}
        {%- set parts = [] -%}
        {%- for column in columns -%}
            {%- do parts.append(prefix ~ column) -%}
            {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
        {%- endfor -%}
        {{ dbt.concat(parts) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: a 64-bit hash; grouping as many integers as there are raw rows needs far less memory
    than grouping their key strings (scale: docs/benchmarks.md, "Figures moved from code
    comments (2026-12-06)"). -#}
{% macro duckdb__key_fingerprint(columns, relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    hash({% for column in columns %}{{ prefix }}{{ column }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
