{#- int_as_of_date's relation: the D a published copy was built for (its manifest says it). -#}
{% macro published_as_of_relation() -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'int_as_of_date' -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endfor -%}
{%- endmacro %}
