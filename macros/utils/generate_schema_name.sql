{#- Schemas are named exactly as configured (staging, intermediate, marts, raw) instead of
    dbt's default <target_schema>_<custom>, so BI users find `marts.seg_biggest_fans`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
