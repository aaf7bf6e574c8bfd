{#- True when the whole string matches the (anchored) POSIX pattern. -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'personas')(expression, pattern)) }}
{%- endmacro %}

{#- PostgreSQL: the `~` operator. -#}
{% macro default__regex_matches(expression, pattern) -%}
    (({{ expression }}) ~ '{{ pattern }}')
{%- endmacro %}

{#- DuckDB: regexp_matches (RE2) searches; the pattern carries its own anchors. -#}
{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- Spark: the `rlike` operator (Java regex). -#}
{% macro spark__regex_matches(expression, pattern) -%}
    (({{ expression }}) rlike '{{ pattern }}')
{%- endmacro %}
