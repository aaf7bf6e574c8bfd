{#- The relations publish_marts copies: every enabled model under models/marts (facts,
    dimensions, segments, segment outputs, data quality), in name order. -#}
{% macro published_marts() -%}
    {%- set marts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='name')
        if node.resource_type == 'model' and node.fqn[1] == 'marts'
        and node.config.materialized != 'ephemeral' -%}
        {%- do marts.append(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) -%}
    {%- endfor -%}
    {{ return(marts) }}
{%- endmacro %}
