{#- A cheap stand-in for a key, to find the keys that occur more than once: equal keys have
    equal fingerprints; two keys may (rarely) share one, which only sends a few more rows
    through the exact comparison in versioned_rows, never changes its result. A missing key
    part (null) stands as '', which no trimmed value can be (an empty value is null): the
    fingerprint is never null, and a missing key shares it only with other missing keys (and
    collisions). -#}
{% macro key_fingerprint(columns, relation=none) -%}
    {{ return(adapter.dispatch('key_fingerprint', 'personas')(columns, relation)) }}
{%- endmacro %}

{#- The key parts, each with '' for null, qualified by `relation` when given. -#}
{% macro key_fingerprint_parts(columns, relation) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ prefix ~ column ~ ", '')") -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{#- Default: the key itself (one column) or its parts joined with a separator. -#}
{% macro default__key_fingerprint(columns, relation) -%}
    {%- set parts = personas.key_fingerprint_parts(columns, relation) -%}
    {%- if parts | length == 1 -%}
        {{ parts[0] }}
    {%- else -%}
        {%- set joined = [] -%}
        {%- for part in parts -%}
            {%- do joined.append(part) -%}
            {%- if not loop.last %}{% do joined.append("'|'") %}{% endif -%}
        {%- endfor -%}
        {{ dbt.concat(joined) }}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: a 64-bit hash; grouping as many integers as there are raw rows needs far less memory
    than grouping their key strings (scale: docs/benchmarks.md, "Figures moved from code
    comments (2026-12-06)"). -#}
{% macro duckdb__key_fingerprint(columns, relation) -%}
    hash({{ personas.key_fingerprint_parts(columns, relation) | join(', ') }})
{%- endmacro %}
