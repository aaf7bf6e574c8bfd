{#- Floor division of two non-negative integers, exactly (no floating point). -#}
{% macro integer_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('integer_divide', 'personas')(numerator, denominator)) }}
{%- endmacro %}

{#- Most warehouses divide integers exactly with `/`. -#}
{% macro default__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) / ({{ denominator }}))
{%- endmacro %}

{#- DuckDB's `/` returns a double even for integers; `//` is its integer division. -#}
{% macro duckdb__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) // ({{ denominator }}))
{%- endmacro %}

{#- Spark's `/` returns a double; `div` is its integer division. -#}
{% macro spark__integer_divide(numerator, denominator) -%}
    (({{ numerator }}) div ({{ denominator }}))
{%- endmacro %}

{#- PostgreSQL: `/` of two integers is exact, but sum(bigint) is a numeric, which `/` divides
    with decimals; div() floors both exactly, and the bigint keeps the result an integer. -#}
{% macro postgres__integer_divide(numerator, denominator) -%}
    cast(div({{ numerator }}, {{ denominator }}) as {{ dbt.type_bigint() }})
{%- endmacro %}
