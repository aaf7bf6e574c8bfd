{#- run_query without opening a transaction: each statement commits on its own. The publish
    ATTACHes a second DuckDB file and DETACHes it when done, which DuckDB refuses inside a
    transaction that wrote to it (`dbt run-operation` would otherwise open one). -#}
{% macro run_autocommit(sql) -%}
    {%- call statement('run_autocommit', fetch_result=true, auto_begin=false) -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(load_result('run_autocommit').table) }}
{%- endmacro %}
