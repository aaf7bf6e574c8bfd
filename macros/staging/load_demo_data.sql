{#- Whether this run loads and builds on the demo seeds (var load_demo_data). Unset (null):
    on DuckDB without var raw_data_path only, as `make demo` does; on PostgreSQL and Spark
    never, since their raw tables may hold the user's real data, which `dbt seed` would
    truncate and replace with the demo. dbt_project.yml enables the demo seeds by the same
    rule (written there again: it cannot call a macro). -#}
{% macro load_demo_data() -%}
    {%- set asked = var('load_demo_data', none) -%}
    {%- if asked is none -%}
        {{ return(target.type == 'duckdb' and var('raw_data_path', none) is none) }}
    {%- endif -%}
    {%- set answer = asked | string | lower -%}
    {%- if answer not in ['true', 'false'] -%}
        {{ exceptions.raise_compiler_error(
            "var load_demo_data is '" ~ asked ~ "': use true, false or leave it unset (null)."
        ) }}
    {%- endif -%}
    {{ return(answer == 'true') }}
{%- endmacro %}
