{#- The relations publish_marts copies: every enabled model configured into the `marts`
    schema (facts, dimensions, segments, segment outputs, data quality, ...), in name order. A
    model under models/marts that is configured into another schema (a building block kept
    from BI) is not published. -#}
{% macro published_marts() -%}
    {%- set marts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' and node.config.schema == 'marts'
        and node.config.materialized != 'ephemeral' -%}
        {%- do marts.append(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -%}
    {%- endfor -%}
    {{ return(marts) }}
{%- endmacro %}
