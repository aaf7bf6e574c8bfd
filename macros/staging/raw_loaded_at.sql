{#- The loaded_at_query of a raw entity's source freshness (models/staging/_raw__sources.yml):
    the latest of its timestamp column, read from where staging reads the entity
    (personas.raw_input: demo seed, file or table) and parsed as staging parses it, so that a
    bad value is skipped, never a failed query. Every row counts, quarantined ones too: it
    measures when the raw data last moved, not how much of it staged. -#}
{% macro raw_loaded_at(entity, column) -%}
    {%- if personas.load_demo_data() and not var('raw_data_path', none) -%}
        {#- The demo seed, found in the graph: ref() cannot be called from a source. -#}
        {%- set seed = graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed')
            | selectattr('name', 'equalto', entity) | first -%}
        {%- set relation = api.Relation.create(
            database=seed.database, schema=seed.schema, identifier=seed.alias) -%}
    {%- else -%}
        {%- set relation = personas.raw_input(entity) -%}
    {%- endif %}
    select max({{ personas.parse_utc_timestamp('loaded_at_text') }}) as max_loaded_at
    from (
        select nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '') as loaded_at_text
        from {{ relation }} as raw_rows
    ) as raw_timestamps
{%- endmacro %}
