{#- The value of the built int_as_of_date table ('YYYY-MM-DD'), read with a query when the
    calling model runs; none at parse time, inside a unit test (where ref() names a fixture
    CTE, not a table), when the table does not exist yet, or when it holds null. Spark: none,
    always (each query through the session costs a job; its optimizer handles the scalar
    subquery). -#}
{% macro built_as_of_date(relation) -%}
    {{ return(adapter.dispatch('built_as_of_date', 'personas')(relation)) }}
{%- endmacro %}

{% macro default__built_as_of_date(relation) -%}
    {%- if not execute or relation is string or (relation | string).startswith('__dbt__cte__') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select cast(as_of_date as {{ dbt.type_string() }}) as as_of_date from {{ relation }}
    {%- endset -%}
    {%- set values = run_query(query).columns[0].values() -%}
    {{ return(values[0] if values | length == 1 and values[0] is not none else none) }}
{%- endmacro %}

{% macro spark__built_as_of_date(relation) -%}
    {{ return(none) }}
{%- endmacro %}
