{#- Schema names per target. On a production target (var production_targets: the targets of
    profiles.yml by default) a model's custom schema is its name exactly (staging,
    intermediate, marts, raw), instead of dbt's default <target_schema>_<custom>, so BI users
    find `marts.seg_biggest_fans`. On any other target (a developer's, a CI job's, e.g.
    postgres_dev) it is <target_schema>_<custom> (dev_alice_marts), so that two of them sharing
    a database never overwrite each other, or production. The user's raw tables (the source
    `raw`, var raw_schema) are never renamed. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set production_targets = var('production_targets', []) -%}
    {%- set production_targets = [production_targets] if production_targets is string else production_targets -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- elif target.name in production_targets -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema | trim }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
