La panadería de la esquina abre a las siete.
Mi hermano está aprendiendo a tocar el piano.
¿Puedes abrir la ventana, por favor?
Perdimos el último autobús y tuvimos que volver a casa andando.
A esta sopa le falta un poco de sal.
Los niños están jugando en el jardín.
Nunca había visto nieve en abril.
Su nuevo trabajo empieza el próximo lunes.
Por la mañana la biblioteca está tranquila.
Por favor, quítate los zapatos en la entrada.
El tren al aeropuerto sale cada veinte minutos.
Mi abuela cultiva tomates en el balcón.
Hoy hace demasiado calor para salir a correr.
Estamos pintando la cocina de amarillo.
Otra vez se ha dejado las llaves en la oficina.
El museo es gratuito el primer domingo de cada mes.
Querría un vaso de agua, por favor.
Nuestro gato duerme en el sofá toda la tarde.
La reunión fue más corta de lo que esperábamos.
¿Sabes dónde está la farmacia más cercana?
Se casaron en un pueblecito junto al mar.
El río se heló por primera vez en diez años.
Normalmente leo antes de dormir.
La tienda de la calle Mayor vende libros de segunda mano.
Me queda muy poca batería en el móvil.
Deberíamos salir temprano para evitar el tráfico.
La profesora explicó el problema dos veces.
Desde lo alto de la colina hay una vista preciosa.
Tengo que comprarle un regalo de cumpleaños a mi hermana.
El restaurante estaba lleno, así que comimos en casa.
Esta carretera está cortada por obras hasta el viernes.
Habla tres idiomas con fluidez.
Por fin se ha dormido el bebé.
El otoño pasado plantamos tres manzanos.
¿Está libre este asiento?
El concierto empieza dentro de media hora.
Me dejé el paraguas en el tren.
Mis padres vienen a vernos todos los veranos.
El agua del lago es muy cristalina.
Siempre se toma el café sin azúcar.
El domingo a primera hora las calles estaban vacías.
No sé seguro a qué hora termina la película.
Nuestros vecinos tienen un perro muy simpático.
El pan ha vuelto a subir de precio.
Quedamos delante del cine a las ocho.
Las plantas del alféizar necesitan agua.
Le escribió una carta a su antigua profesora.
El viento soplaba tan fuerte que se llevó la tienda de campaña.
Puedo ayudarte a llevar esas cajas.
El puente se construyó hace más de cien años.
Nos quedamos en casa porque estaba lloviendo.
Mi hermana trabaja en un hospital del centro.
Las entradas son más baratas si las compras por internet.
Lleva veinte minutos esperando el autobús.
La primera nevada cayó durante la noche.
Tengo cita con el médico el jueves.
Los niños hicieron un muñeco de nieve en el parque.
¿Te apetece venir a cenar el sábado?
El antiguo castillo se puede visitar en verano.
Se me olvidó apagar las luces.
En el mercado venden pescado fresco todas las mañanas.
Esta chaqueta ya me queda pequeña.
Vimos la puesta de sol desde la playa.
Arregla bicicletas viejas en su garaje.
El examen fue más fácil de lo que pensaba.
Llámame cuando llegues, por favor.
El jardín está precioso en primavera.
Mi abuelo es el que mejor cuenta historias.
Necesitamos más sillas para la fiesta.
La habitación del hotel tenía vistas al puerto.
Estoy aprendiendo a cocinar comida india.
Los sábados, la oficina de correos cierra a mediodía.
Corre cinco kilómetros todas las mañanas.
La película era tan triste que todos lloramos.
Se nos ha acabado la leche.
El nuevo colegio abre en septiembre.
Gira a la izquierda en el segundo semáforo.
El bizcocho todavía está demasiado caliente para cortarlo.
Mi tío vive en una granja con muchas vacas.
La luz del pasillo no funciona.
Recorrieron el país en tren.
Creo que va a llover esta tarde.
Su color favorito es el verde.
Las tazas están en el armario de encima del fregadero.
Después de comer paseamos por la orilla del río.
Este libro tiene más de quinientas páginas.
El médico le dijo que descansara una semana.
Por la noche prefiero el té al café.
La estación está a diez minutos andando de aquí.
Al final del espectáculo todo el mundo aplaudió.
Mi ordenador va mucho más lento que antes.
Los vecinos dan una fiesta esta noche.
Tenemos que salir de casa dentro de cinco minutos.
Las fresas del mercado están muy dulces.
Perdió la cartera de camino al trabajo.
Anoche el cielo estaba lleno de estrellas.
¿Me recomiendas algún libro bueno?
El agua está demasiado fría para bañarse.
Nuestro equipo ganó el partido en el último minuto.
Te devuelvo la llamada en diez minutos.
El pan todavía está caliente, recién salido del horno.
En esta ciudad mucha gente va al trabajo en bicicleta.
Mi hija quiere ser veterinaria.
Cuando llegamos, la tienda estaba cerrada.
Llevo seis años viviendo en este piso.
Las flores del jarrón están empezando a marchitarse.
Habla muy bajo, así que cuesta oírlo.
La semana que viene nos vamos de acampada a la montaña.
La cocina huele a café recién hecho.
No encuentro las gafas por ningún sitio.
La clase se suspendió porque el profesor estaba enfermo.
Tardamos tres horas en llegar en coche a la costa.
Por favor, habla un poco más despacio.
Los días de sol el parque se llena de gente.
Mi amiga me mandó una postal desde Grecia.
Esta mañana el autobús ha vuelto a llegar tarde.
Pedimos pizza y vimos una película.
El perro ladra cada vez que suena el timbre.
Tengo que terminar este informe antes del viernes.
La sopa está todavía más rica al día siguiente.
En mi clase hay veinte alumnos.
Ella pintó el cuadro que cuelga en el recibidor.
El hielo del estanque no es lo bastante grueso para caminar sobre él.
Siempre es el primero en llegar a la oficina.
Mis padres se conocieron en la universidad.
El avión aterrizó sin problemas a pesar de la tormenta.
¿Me prestas el bolígrafo un momento?
El pueblo solo tiene una tienda y una escuela.
Esta noche me voy a acostar temprano.
La nevera está casi vacía.
Tienen dos hijos y un gato.
Después de la lluvia las carreteras resbalan.
Compré esta camisa en una tiendecita de Roma.
El partido de fútbol se retransmitió por televisión.
Nuestro vuelo lleva dos horas de retraso.
El niño pequeño tiene miedo a la oscuridad.
Siempre subo por las escaleras en vez de coger el ascensor.
Las manzanas de nuestro jardín ya están maduras.
Se olvidó del cumpleaños de su amiga y se sintió fatal.
El hotel sirve el desayuno hasta las diez.
Tenemos que comprar una lavadora nueva.
El sendero del bosque es fácil de seguir.
Preparó el desayuno para toda la familia.
Cada día anochece antes.
El vaso se cayó de la mesa y se rompió.
Mi hermano y yo nos parecemos mucho.
El fin de semana hará mejor tiempo.
Necesito una bolsa más grande para todos estos libros.
Los alumnos están plantando árboles a lo largo de la carretera.
La cafetera de la oficina está estropeada.
Celebramos el noventa cumpleaños de mi abuela.
El lago está rodeado de pinos altos.
No te olvides de cerrar la puerta con llave al salir.
Mi estación favorita es el otoño.
El camarero nos trajo el plato equivocado.
Lleva dos años estudiando japonés.
Al lado de la estación hay una cafetería pequeña.
Tuvimos que esperar una hora para conseguir mesa.
La música estaba tan alta que no se podía hablar.
Envolvió el regalo con cuidado en papel rojo.
Esta mañana vi un zorro en el jardín.
La parada del autobús está justo delante del colegio.
Nuestras vacaciones empiezan dentro de dos semanas.
El anciano da de comer a los patos todas las tardes.
No sé qué vestido ponerme.
Durante la tormenta se fue la luz.
Mi vecina toca el violín todas las tardes.
Esta calle tiene mucho tráfico en hora punta.
Encontramos un restaurante encantador junto al puerto.
Los niños estaban ilusionados con la excursión del colegio.
Perdona, no he entendido bien tu nombre.
Las montañas estaban cubiertas de nieve recién caída.
Volvió a meter la leche en la nevera.
El ayuntamiento es el edificio más antiguo de la plaza.
Deberíamos reservar el hotel antes de que suban los precios.
Mi primo se casa en junio.
El gato está escondido debajo de la cama.
Ya me he leído este libro dos veces.
Hoy sopla viento del norte.
Siempre lleva una libreta en el bolso.
El fin de semana pasado pintamos la valla de blanco.
El panadero se levanta a las cuatro todas las mañanas.
No hay tiempo para visitar todos los museos.
Los estudiantes escucharon con atención al ponente.
Tengo los zapatos mojados de andar bajo la lluvia.
Esa cafetería sirve el mejor chocolate caliente de la ciudad.
Espero que te mejores pronto.
El barco cruzó lentamente la bahía.
Le gusta escuchar la radio mientras cocina.
El precio incluye el desayuno y la cena.
Nos perdimos en el casco antiguo.
Por la mañana el jardín se llena de pájaros.
Mañana te mando las fotos.
La piscina cierra los lunes.
Mi tía hace mermelada con las ciruelas de su huerto.
La cola de la taquilla era larguísima.
Las hojas están cayendo de los árboles.
Gracias por venir desde tan lejos a vernos.
El pueblo es famoso por su queso.
Volveré antes de la cena.
La consulta del médico está al lado de la farmacia.
